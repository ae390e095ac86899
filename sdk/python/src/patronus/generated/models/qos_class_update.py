from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="QosClassUpdate")


@_attrs_define
class QosClassUpdate:
    name: None | str | Unset = UNSET
    priority: int | None | Unset = UNSET
    dscp: int | None | Unset = UNSET
    guaranteed_percent: int | None | Unset = UNSET
    max_percent: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        priority: int | None | Unset
        if isinstance(self.priority, Unset):
            priority = UNSET
        else:
            priority = self.priority

        dscp: int | None | Unset
        if isinstance(self.dscp, Unset):
            dscp = UNSET
        else:
            dscp = self.dscp

        guaranteed_percent: int | None | Unset
        if isinstance(self.guaranteed_percent, Unset):
            guaranteed_percent = UNSET
        else:
            guaranteed_percent = self.guaranteed_percent

        max_percent: int | None | Unset
        if isinstance(self.max_percent, Unset):
            max_percent = UNSET
        else:
            max_percent = self.max_percent

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if name is not UNSET:
            field_dict["name"] = name
        if priority is not UNSET:
            field_dict["priority"] = priority
        if dscp is not UNSET:
            field_dict["dscp"] = dscp
        if guaranteed_percent is not UNSET:
            field_dict["guaranteed_percent"] = guaranteed_percent
        if max_percent is not UNSET:
            field_dict["max_percent"] = max_percent

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        def _parse_priority(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        priority = _parse_priority(d.pop("priority", UNSET))

        def _parse_dscp(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        dscp = _parse_dscp(d.pop("dscp", UNSET))

        def _parse_guaranteed_percent(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        guaranteed_percent = _parse_guaranteed_percent(
            d.pop("guaranteed_percent", UNSET)
        )

        def _parse_max_percent(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_percent = _parse_max_percent(d.pop("max_percent", UNSET))

        qos_class_update = cls(
            name=name,
            priority=priority,
            dscp=dscp,
            guaranteed_percent=guaranteed_percent,
            max_percent=max_percent,
        )

        return qos_class_update
