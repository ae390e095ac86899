from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.link_kind import LinkKind, check_link_kind
from ..types import UNSET, Unset

T = TypeVar("T", bound="LinkUpdate")


@_attrs_define
class LinkUpdate:
    """PATCH body. `endpoint: null` removes the endpoint (the link went behind NAT)."""

    name: None | str | Unset = UNSET
    interface: None | str | Unset = UNSET
    kind: LinkKind | None | Unset = UNSET
    endpoint: None | str | Unset = UNSET
    bandwidth_up_mbps: int | None | Unset = UNSET
    bandwidth_down_mbps: int | None | Unset = UNSET
    cost: int | None | Unset = UNSET
    priority: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        interface: None | str | Unset
        if isinstance(self.interface, Unset):
            interface = UNSET
        else:
            interface = self.interface

        kind: None | str | Unset
        if isinstance(self.kind, Unset):
            kind = UNSET
        elif isinstance(self.kind, str):
            kind = self.kind
        else:
            kind = self.kind

        endpoint: None | str | Unset
        if isinstance(self.endpoint, Unset):
            endpoint = UNSET
        else:
            endpoint = self.endpoint

        bandwidth_up_mbps: int | None | Unset
        if isinstance(self.bandwidth_up_mbps, Unset):
            bandwidth_up_mbps = UNSET
        else:
            bandwidth_up_mbps = self.bandwidth_up_mbps

        bandwidth_down_mbps: int | None | Unset
        if isinstance(self.bandwidth_down_mbps, Unset):
            bandwidth_down_mbps = UNSET
        else:
            bandwidth_down_mbps = self.bandwidth_down_mbps

        cost: int | None | Unset
        if isinstance(self.cost, Unset):
            cost = UNSET
        else:
            cost = self.cost

        priority: int | None | Unset
        if isinstance(self.priority, Unset):
            priority = UNSET
        else:
            priority = self.priority

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if name is not UNSET:
            field_dict["name"] = name
        if interface is not UNSET:
            field_dict["interface"] = interface
        if kind is not UNSET:
            field_dict["kind"] = kind
        if endpoint is not UNSET:
            field_dict["endpoint"] = endpoint
        if bandwidth_up_mbps is not UNSET:
            field_dict["bandwidth_up_mbps"] = bandwidth_up_mbps
        if bandwidth_down_mbps is not UNSET:
            field_dict["bandwidth_down_mbps"] = bandwidth_down_mbps
        if cost is not UNSET:
            field_dict["cost"] = cost
        if priority is not UNSET:
            field_dict["priority"] = priority

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

        def _parse_interface(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        interface = _parse_interface(d.pop("interface", UNSET))

        def _parse_kind(data: object) -> LinkKind | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                kind_type_1 = check_link_kind(data)

                return kind_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(LinkKind | None | Unset, data)

        kind = _parse_kind(d.pop("kind", UNSET))

        def _parse_endpoint(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        endpoint = _parse_endpoint(d.pop("endpoint", UNSET))

        def _parse_bandwidth_up_mbps(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        bandwidth_up_mbps = _parse_bandwidth_up_mbps(d.pop("bandwidth_up_mbps", UNSET))

        def _parse_bandwidth_down_mbps(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        bandwidth_down_mbps = _parse_bandwidth_down_mbps(
            d.pop("bandwidth_down_mbps", UNSET)
        )

        def _parse_cost(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        cost = _parse_cost(d.pop("cost", UNSET))

        def _parse_priority(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        priority = _parse_priority(d.pop("priority", UNSET))

        link_update = cls(
            name=name,
            interface=interface,
            kind=kind,
            endpoint=endpoint,
            bandwidth_up_mbps=bandwidth_up_mbps,
            bandwidth_down_mbps=bandwidth_down_mbps,
            cost=cost,
            priority=priority,
        )

        return link_update
