from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="BgpNeighbor")


@_attrs_define
class BgpNeighbor:
    """A neighbour as the API shows it: its password never, only whether it has one."""

    address: str
    remote_asn: int
    description: str
    password_set: bool
    keepalive: int
    hold_time: int
    bfd: bool
    route_map_in: None | str | Unset = UNSET
    route_map_out: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        address = self.address

        remote_asn = self.remote_asn

        description = self.description

        password_set = self.password_set

        keepalive = self.keepalive

        hold_time = self.hold_time

        bfd = self.bfd

        route_map_in: None | str | Unset
        if isinstance(self.route_map_in, Unset):
            route_map_in = UNSET
        else:
            route_map_in = self.route_map_in

        route_map_out: None | str | Unset
        if isinstance(self.route_map_out, Unset):
            route_map_out = UNSET
        else:
            route_map_out = self.route_map_out

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "address": address,
                "remote_asn": remote_asn,
                "description": description,
                "password_set": password_set,
                "keepalive": keepalive,
                "hold_time": hold_time,
                "bfd": bfd,
            }
        )
        if route_map_in is not UNSET:
            field_dict["route_map_in"] = route_map_in
        if route_map_out is not UNSET:
            field_dict["route_map_out"] = route_map_out

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        address = d.pop("address")

        remote_asn = d.pop("remote_asn")

        description = d.pop("description")

        password_set = d.pop("password_set")

        keepalive = d.pop("keepalive")

        hold_time = d.pop("hold_time")

        bfd = d.pop("bfd")

        def _parse_route_map_in(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        route_map_in = _parse_route_map_in(d.pop("route_map_in", UNSET))

        def _parse_route_map_out(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        route_map_out = _parse_route_map_out(d.pop("route_map_out", UNSET))

        bgp_neighbor = cls(
            address=address,
            remote_asn=remote_asn,
            description=description,
            password_set=password_set,
            keepalive=keepalive,
            hold_time=hold_time,
            bfd=bfd,
            route_map_in=route_map_in,
            route_map_out=route_map_out,
        )

        bgp_neighbor.additional_properties = d
        return bgp_neighbor

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
