from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.whoami_type_0_kind import WhoamiType0Kind, check_whoami_type_0_kind

T = TypeVar("T", bound="WhoamiType0")


@_attrs_define
class WhoamiType0:
    token_id: UUID
    name: str
    kind: WhoamiType0Kind
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        token_id = str(self.token_id)

        name = self.name

        kind: str = self.kind

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "token_id": token_id,
                "name": name,
                "kind": kind,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        token_id = UUID(d.pop("token_id"))

        name = d.pop("name")

        kind = check_whoami_type_0_kind(d.pop("kind"))

        whoami_type_0 = cls(
            token_id=token_id,
            name=name,
            kind=kind,
        )

        whoami_type_0.additional_properties = d
        return whoami_type_0

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
