from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.link_kind import LinkKind, check_link_kind
from ..types import UNSET, Unset

T = TypeVar("T", bound="ConfigLink")


@_attrs_define
class ConfigLink:
    name: str
    interface: str
    kind: LinkKind
    bandwidth_up_mbps: int
    bandwidth_down_mbps: int
    cost: int
    priority: int
    endpoint: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        interface = self.interface

        kind: str = self.kind

        bandwidth_up_mbps = self.bandwidth_up_mbps

        bandwidth_down_mbps = self.bandwidth_down_mbps

        cost = self.cost

        priority = self.priority

        endpoint: None | str | Unset
        if isinstance(self.endpoint, Unset):
            endpoint = UNSET
        else:
            endpoint = self.endpoint

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "interface": interface,
                "kind": kind,
                "bandwidth_up_mbps": bandwidth_up_mbps,
                "bandwidth_down_mbps": bandwidth_down_mbps,
                "cost": cost,
                "priority": priority,
            }
        )
        if endpoint is not UNSET:
            field_dict["endpoint"] = endpoint

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        name = d.pop("name")

        interface = d.pop("interface")

        kind = check_link_kind(d.pop("kind"))

        bandwidth_up_mbps = d.pop("bandwidth_up_mbps")

        bandwidth_down_mbps = d.pop("bandwidth_down_mbps")

        cost = d.pop("cost")

        priority = d.pop("priority")

        def _parse_endpoint(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        endpoint = _parse_endpoint(d.pop("endpoint", UNSET))

        config_link = cls(
            name=name,
            interface=interface,
            kind=kind,
            bandwidth_up_mbps=bandwidth_up_mbps,
            bandwidth_down_mbps=bandwidth_down_mbps,
            cost=cost,
            priority=priority,
            endpoint=endpoint,
        )

        config_link.additional_properties = d
        return config_link

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
