from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ConfigQosClass")


@_attrs_define
class ConfigQosClass:
    name: str
    priority: int
    dscp: int
    guaranteed_percent: int
    max_percent: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        priority = self.priority

        dscp = self.dscp

        guaranteed_percent = self.guaranteed_percent

        max_percent = self.max_percent

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "priority": priority,
                "dscp": dscp,
                "guaranteed_percent": guaranteed_percent,
                "max_percent": max_percent,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        name = d.pop("name")

        priority = d.pop("priority")

        dscp = d.pop("dscp")

        guaranteed_percent = d.pop("guaranteed_percent")

        max_percent = d.pop("max_percent")

        config_qos_class = cls(
            name=name,
            priority=priority,
            dscp=dscp,
            guaranteed_percent=guaranteed_percent,
            max_percent=max_percent,
        )

        config_qos_class.additional_properties = d
        return config_qos_class

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
