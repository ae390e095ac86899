from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.protocol import Protocol, check_protocol
from ..types import UNSET, Unset

T = TypeVar("T", bound="PolicyMatch")


@_attrs_define
class PolicyMatch:
    """Which traffic a policy applies to. Every given criterion must match; absent ones match all."""

    protocol: Protocol | Unset = UNSET
    source_prefixes: list[str] | Unset = UNSET
    """ IPv4 or IPv6 prefixes in canonical form (`10.1.0.0/16`, no host bits set). """
    destination_prefixes: list[str] | Unset = UNSET
    """ IPv4 or IPv6 prefixes in canonical form (`10.1.0.0/16`, no host bits set). """
    destination_ports: list[str] | Unset = UNSET
    """ Ports (`"443"`) or inclusive ranges (`"8000-8999"`) of ports 1 to 65535; only with protocol tcp or udp. """
    dscp: int | None | Unset = UNSET
    application: None | str | Unset = UNSET
    """ A built-in application (e.g. `teams`, `zoom`, `ssh`), a category of applications (e.g.
    `video`, `backup`), or one of the tenant's own applications (`/v1/applications`, which
    every site's document carries): the policy takes the flows the agent recognises as that
    application (or as any application of that category). The agent recognises the built-in
    applications from TLS and QUIC server names, HTTP `Host`, SSH and SIP handshakes, DNS
    answers seen earlier, and the catalogue's prefixes and ports. A flow not yet recognised
    takes the policy it would without this one, and moves once when it is. Any other name is
    refused (422); an application a policy names cannot be renamed or deleted (409). """

    def to_dict(self) -> dict[str, Any]:
        protocol: str | Unset = UNSET
        if not isinstance(self.protocol, Unset):
            protocol = self.protocol

        source_prefixes: list[str] | Unset = UNSET
        if not isinstance(self.source_prefixes, Unset):
            source_prefixes = self.source_prefixes

        destination_prefixes: list[str] | Unset = UNSET
        if not isinstance(self.destination_prefixes, Unset):
            destination_prefixes = self.destination_prefixes

        destination_ports: list[str] | Unset = UNSET
        if not isinstance(self.destination_ports, Unset):
            destination_ports = self.destination_ports

        dscp: int | None | Unset
        if isinstance(self.dscp, Unset):
            dscp = UNSET
        else:
            dscp = self.dscp

        application: None | str | Unset
        if isinstance(self.application, Unset):
            application = UNSET
        else:
            application = self.application

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if protocol is not UNSET:
            field_dict["protocol"] = protocol
        if source_prefixes is not UNSET:
            field_dict["source_prefixes"] = source_prefixes
        if destination_prefixes is not UNSET:
            field_dict["destination_prefixes"] = destination_prefixes
        if destination_ports is not UNSET:
            field_dict["destination_ports"] = destination_ports
        if dscp is not UNSET:
            field_dict["dscp"] = dscp
        if application is not UNSET:
            field_dict["application"] = application

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        _protocol = d.pop("protocol", UNSET)
        protocol: Protocol | Unset
        if isinstance(_protocol, Unset):
            protocol = UNSET
        else:
            protocol = check_protocol(_protocol)

        source_prefixes = cast(list[str], d.pop("source_prefixes", UNSET))

        destination_prefixes = cast(list[str], d.pop("destination_prefixes", UNSET))

        destination_ports = cast(list[str], d.pop("destination_ports", UNSET))

        def _parse_dscp(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        dscp = _parse_dscp(d.pop("dscp", UNSET))

        def _parse_application(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        application = _parse_application(d.pop("application", UNSET))

        policy_match = cls(
            protocol=protocol,
            source_prefixes=source_prefixes,
            destination_prefixes=destination_prefixes,
            destination_ports=destination_ports,
            dscp=dscp,
            application=application,
        )

        return policy_match
