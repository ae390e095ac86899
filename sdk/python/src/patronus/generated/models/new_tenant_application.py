from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.application_protocol import (
    ApplicationProtocol,
    check_application_protocol,
)
from ..models.category import Category, check_category
from ..types import UNSET, Unset

T = TypeVar("T", bound="NewTenantApplication")


@_attrs_define
class NewTenantApplication:
    """A tenant-defined application: what a policy's `match.application` may name beside the
    built-in catalogue. At least one of `domains`, `prefixes` and `ports` is given. The agents
    recognise a flow as it by a name the flow carries (TLS or QUIC server name, HTTP `Host`, or an
    earlier DNS answer for its destination) matching `domains`; by its destination in `prefixes`
    (and then, if `ports` are given, on one of them); or, without `prefixes`, by its destination
    port when nothing in the flow names an application. Where it claims a domain pattern, prefix
    or port a built-in application does, it wins.

    """

    name: str
    """ 1 to 64 characters of `a-z 0-9 - _`, unique in the tenant, and neither a built-in
    application's nor a category's name. """
    category: Category
    description: str | Unset = UNSET
    """ Free text, at most 256 characters, no control characters but tabs and newlines. """
    domains: list[str] | Unset = UNSET
    """ Names a flow's TLS or QUIC server name, HTTP `Host` or an earlier DNS answer may carry: `name` exactly, or
    `*.name` for any name below it (not `name` itself); lowercase labels of `a-z 0-9 -`, at least two, the name at
    most 253 characters; at most 64 patterns, each once. """
    prefixes: list[str] | Unset = UNSET
    """ Destination prefixes that belong to the application, IPv4 or IPv6 in canonical form (`203.0.113.0/24`, no
    host bits set), at most 64, not overlapping each other; stored sorted. """
    protocol: ApplicationProtocol | Unset = UNSET
    """ The protocol of a tenant application's `ports`: `tcp`, `udp` or `any` (both). """
    ports: list[str] | Unset = UNSET
    """ Destination ports (`"443"`) or inclusive ranges (`"8000-8100"`) of ports 1 to 65535, at most 32, not
    overlapping each other; `protocol` says whether they are TCP, UDP or both. """

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        category: str = self.category

        description = self.description

        domains: list[str] | Unset = UNSET
        if not isinstance(self.domains, Unset):
            domains = self.domains

        prefixes: list[str] | Unset = UNSET
        if not isinstance(self.prefixes, Unset):
            prefixes = self.prefixes

        protocol: str | Unset = UNSET
        if not isinstance(self.protocol, Unset):
            protocol = self.protocol

        ports: list[str] | Unset = UNSET
        if not isinstance(self.ports, Unset):
            ports = self.ports

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "category": category,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if domains is not UNSET:
            field_dict["domains"] = domains
        if prefixes is not UNSET:
            field_dict["prefixes"] = prefixes
        if protocol is not UNSET:
            field_dict["protocol"] = protocol
        if ports is not UNSET:
            field_dict["ports"] = ports

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        name = d.pop("name")

        category = check_category(d.pop("category"))

        description = d.pop("description", UNSET)

        domains = cast(list[str], d.pop("domains", UNSET))

        prefixes = cast(list[str], d.pop("prefixes", UNSET))

        _protocol = d.pop("protocol", UNSET)
        protocol: ApplicationProtocol | Unset
        if isinstance(_protocol, Unset):
            protocol = UNSET
        else:
            protocol = check_application_protocol(_protocol)

        ports = cast(list[str], d.pop("ports", UNSET))

        new_tenant_application = cls(
            name=name,
            category=category,
            description=description,
            domains=domains,
            prefixes=prefixes,
            protocol=protocol,
            ports=ports,
        )

        return new_tenant_application
