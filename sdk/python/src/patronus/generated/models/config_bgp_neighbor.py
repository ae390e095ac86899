from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ConfigBgpNeighbor")


@_attrs_define
class ConfigBgpNeighbor:
    address: str
    remote_asn: int
    description: str
    keepalive: int
    hold_time: int
    bfd: bool
    password: None | str | Unset = UNSET
    """ TCP MD5 password. """
    route_map_in: None | str | Unset = UNSET
    route_map_out: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        address = self.address

        remote_asn = self.remote_asn

        description = self.description

        keepalive = self.keepalive

        hold_time = self.hold_time

        bfd = self.bfd

        password: None | str | Unset
        if isinstance(self.password, Unset):
            password = UNSET
        else:
            password = self.password

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
                "keepalive": keepalive,
                "hold_time": hold_time,
                "bfd": bfd,
            }
        )
        if password is not UNSET:
            field_dict["password"] = password
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

        keepalive = d.pop("keepalive")

        hold_time = d.pop("hold_time")

        bfd = d.pop("bfd")

        def _parse_password(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        password = _parse_password(d.pop("password", UNSET))

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

        config_bgp_neighbor = cls(
            address=address,
            remote_asn=remote_asn,
            description=description,
            keepalive=keepalive,
            hold_time=hold_time,
            bfd=bfd,
            password=password,
            route_map_in=route_map_in,
            route_map_out=route_map_out,
        )

        config_bgp_neighbor.additional_properties = d
        return config_bgp_neighbor

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
