from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="BgpNeighborSpec")


@_attrs_define
class BgpNeighborSpec:
    address: str
    remote_asn: int
    description: str | Unset = UNSET
    """ Free text, at most 200 characters, no control characters but tabs and newlines. """
    password: None | str | Unset = UNSET
    """ TCP MD5 password, 1 to 80 printable ASCII characters without spaces. Write-only: absent
    keeps the stored one (matched by address), `""` removes it. """
    keepalive: int | Unset = UNSET
    """ Seconds (default 60). """
    hold_time: int | Unset = UNSET
    """ Seconds, 0 or 3–65535 (default 180). """
    bfd: bool | Unset = UNSET
    route_map_in: None | str | Unset = UNSET
    """ A route map of this object applied to what the neighbour sends. """
    route_map_out: None | str | Unset = UNSET
    """ A route map of this object applied to what the site sends the neighbour. """

    def to_dict(self) -> dict[str, Any]:
        address = self.address

        remote_asn = self.remote_asn

        description = self.description

        password: None | str | Unset
        if isinstance(self.password, Unset):
            password = UNSET
        else:
            password = self.password

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

        field_dict.update(
            {
                "address": address,
                "remote_asn": remote_asn,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if password is not UNSET:
            field_dict["password"] = password
        if keepalive is not UNSET:
            field_dict["keepalive"] = keepalive
        if hold_time is not UNSET:
            field_dict["hold_time"] = hold_time
        if bfd is not UNSET:
            field_dict["bfd"] = bfd
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

        description = d.pop("description", UNSET)

        def _parse_password(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        password = _parse_password(d.pop("password", UNSET))

        keepalive = d.pop("keepalive", UNSET)

        hold_time = d.pop("hold_time", UNSET)

        bfd = d.pop("bfd", UNSET)

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

        bgp_neighbor_spec = cls(
            address=address,
            remote_asn=remote_asn,
            description=description,
            password=password,
            keepalive=keepalive,
            hold_time=hold_time,
            bfd=bfd,
            route_map_in=route_map_in,
            route_map_out=route_map_out,
        )

        return bgp_neighbor_spec
