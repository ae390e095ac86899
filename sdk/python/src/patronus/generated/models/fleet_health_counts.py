from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="FleetHealthCounts")


@_attrs_define
class FleetHealthCounts:
    """How many sites are in each health."""

    online: int
    degraded: int
    offline: int
    unenrolled: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        online = self.online

        degraded = self.degraded

        offline = self.offline

        unenrolled = self.unenrolled

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "online": online,
                "degraded": degraded,
                "offline": offline,
                "unenrolled": unenrolled,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        online = d.pop("online")

        degraded = d.pop("degraded")

        offline = d.pop("offline")

        unenrolled = d.pop("unenrolled")

        fleet_health_counts = cls(
            online=online,
            degraded=degraded,
            offline=offline,
            unenrolled=unenrolled,
        )

        fleet_health_counts.additional_properties = d
        return fleet_health_counts

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
