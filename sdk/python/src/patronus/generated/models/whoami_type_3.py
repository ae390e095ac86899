from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.whoami_type_3_kind import WhoamiType3Kind, check_whoami_type_3_kind

T = TypeVar("T", bound="WhoamiType3")


@_attrs_define
class WhoamiType3:
    tenant_id: UUID
    agent_id: UUID
    site_id: UUID
    kind: WhoamiType3Kind
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        tenant_id = str(self.tenant_id)

        agent_id = str(self.agent_id)

        site_id = str(self.site_id)

        kind: str = self.kind

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "tenant_id": tenant_id,
                "agent_id": agent_id,
                "site_id": site_id,
                "kind": kind,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        tenant_id = UUID(d.pop("tenant_id"))

        agent_id = UUID(d.pop("agent_id"))

        site_id = UUID(d.pop("site_id"))

        kind = check_whoami_type_3_kind(d.pop("kind"))

        whoami_type_3 = cls(
            tenant_id=tenant_id,
            agent_id=agent_id,
            site_id=site_id,
            kind=kind,
        )

        whoami_type_3.additional_properties = d
        return whoami_type_3

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
