from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.link_kind import LinkKind, check_link_kind
from ..types import UNSET, Unset

T = TypeVar("T", bound="Link")


@_attrs_define
class Link:
    id: UUID
    site_id: UUID
    name: str
    interface: str
    kind: LinkKind
    bandwidth_up_mbps: int
    bandwidth_down_mbps: int
    cost: int
    priority: int
    created_at: datetime.datetime
    updated_at: datetime.datetime
    etag: str
    endpoint: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        site_id = str(self.site_id)

        name = self.name

        interface = self.interface

        kind: str = self.kind

        bandwidth_up_mbps = self.bandwidth_up_mbps

        bandwidth_down_mbps = self.bandwidth_down_mbps

        cost = self.cost

        priority = self.priority

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        etag = self.etag

        endpoint: None | str | Unset
        if isinstance(self.endpoint, Unset):
            endpoint = UNSET
        else:
            endpoint = self.endpoint

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "site_id": site_id,
                "name": name,
                "interface": interface,
                "kind": kind,
                "bandwidth_up_mbps": bandwidth_up_mbps,
                "bandwidth_down_mbps": bandwidth_down_mbps,
                "cost": cost,
                "priority": priority,
                "created_at": created_at,
                "updated_at": updated_at,
                "etag": etag,
            }
        )
        if endpoint is not UNSET:
            field_dict["endpoint"] = endpoint

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        site_id = UUID(d.pop("site_id"))

        name = d.pop("name")

        interface = d.pop("interface")

        kind = check_link_kind(d.pop("kind"))

        bandwidth_up_mbps = d.pop("bandwidth_up_mbps")

        bandwidth_down_mbps = d.pop("bandwidth_down_mbps")

        cost = d.pop("cost")

        priority = d.pop("priority")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        etag = d.pop("etag")

        def _parse_endpoint(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        endpoint = _parse_endpoint(d.pop("endpoint", UNSET))

        link = cls(
            id=id,
            site_id=site_id,
            name=name,
            interface=interface,
            kind=kind,
            bandwidth_up_mbps=bandwidth_up_mbps,
            bandwidth_down_mbps=bandwidth_down_mbps,
            cost=cost,
            priority=priority,
            created_at=created_at,
            updated_at=updated_at,
            etag=etag,
            endpoint=endpoint,
        )

        link.additional_properties = d
        return link

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
