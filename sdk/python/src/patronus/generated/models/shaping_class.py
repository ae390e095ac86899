from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.shaping_direction import ShapingDirection, check_shaping_direction
from ..types import UNSET, Unset

T = TypeVar("T", bound="ShapingClass")


@_attrs_define
class ShapingClass:
    """One class of a link's shaping and its counters since it was installed."""

    class_: None | str | Unset = UNSET
    """ The QoS class; absent for the default class (traffic of no QoS class). """
    priority: int | None | Unset = UNSET
    """ The QoS class's priority (1 first); absent for the default class, which comes last. """
    direction: ShapingDirection | Unset = UNSET
    """ Which way a shaped class's traffic goes. """
    rate_kbps: int | Unset = UNSET
    """ Guaranteed and maximum rate, kbit/s. """
    ceil_kbps: int | Unset = UNSET
    bytes_: int | Unset = UNSET
    packets: int | Unset = UNSET
    drops: int | Unset = UNSET
    """ Packets dropped because the class's queue was full. """
    backlog_bytes: int | Unset = UNSET
    """ What waits in the class's queue now. """
    backlog_packets: int | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        class_: None | str | Unset
        if isinstance(self.class_, Unset):
            class_ = UNSET
        else:
            class_ = self.class_

        priority: int | None | Unset
        if isinstance(self.priority, Unset):
            priority = UNSET
        else:
            priority = self.priority

        direction: str | Unset = UNSET
        if not isinstance(self.direction, Unset):
            direction = self.direction

        rate_kbps = self.rate_kbps

        ceil_kbps = self.ceil_kbps

        bytes_ = self.bytes_

        packets = self.packets

        drops = self.drops

        backlog_bytes = self.backlog_bytes

        backlog_packets = self.backlog_packets

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if class_ is not UNSET:
            field_dict["class"] = class_
        if priority is not UNSET:
            field_dict["priority"] = priority
        if direction is not UNSET:
            field_dict["direction"] = direction
        if rate_kbps is not UNSET:
            field_dict["rate_kbps"] = rate_kbps
        if ceil_kbps is not UNSET:
            field_dict["ceil_kbps"] = ceil_kbps
        if bytes_ is not UNSET:
            field_dict["bytes"] = bytes_
        if packets is not UNSET:
            field_dict["packets"] = packets
        if drops is not UNSET:
            field_dict["drops"] = drops
        if backlog_bytes is not UNSET:
            field_dict["backlog_bytes"] = backlog_bytes
        if backlog_packets is not UNSET:
            field_dict["backlog_packets"] = backlog_packets

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_class_(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        class_ = _parse_class_(d.pop("class", UNSET))

        def _parse_priority(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        priority = _parse_priority(d.pop("priority", UNSET))

        _direction = d.pop("direction", UNSET)
        direction: ShapingDirection | Unset
        if isinstance(_direction, Unset):
            direction = UNSET
        else:
            direction = check_shaping_direction(_direction)

        rate_kbps = d.pop("rate_kbps", UNSET)

        ceil_kbps = d.pop("ceil_kbps", UNSET)

        bytes_ = d.pop("bytes", UNSET)

        packets = d.pop("packets", UNSET)

        drops = d.pop("drops", UNSET)

        backlog_bytes = d.pop("backlog_bytes", UNSET)

        backlog_packets = d.pop("backlog_packets", UNSET)

        shaping_class = cls(
            class_=class_,
            priority=priority,
            direction=direction,
            rate_kbps=rate_kbps,
            ceil_kbps=ceil_kbps,
            bytes_=bytes_,
            packets=packets,
            drops=drops,
            backlog_bytes=backlog_bytes,
            backlog_packets=backlog_packets,
        )

        return shaping_class
