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

T = TypeVar("T", bound="TenantApplicationUpdate")


@_attrs_define
class TenantApplicationUpdate:
    """Changes to a tenant application: absent fields stay as they are; a list given replaces the
    whole list.

    """

    name: None | str | Unset = UNSET
    """ A new name; refused (409) while a policy's `match.application` names the application. """
    category: Category | None | Unset = UNSET
    description: None | str | Unset = UNSET
    domains: list[str] | None | Unset = UNSET
    """ Names a flow's TLS or QUIC server name, HTTP `Host` or an earlier DNS answer may carry: `name` exactly, or
    `*.name` for any name below it (not `name` itself); lowercase labels of `a-z 0-9 -`, at least two, the name at
    most 253 characters; at most 64 patterns, each once. """
    prefixes: list[str] | None | Unset = UNSET
    """ Destination prefixes that belong to the application, IPv4 or IPv6 in canonical form (`203.0.113.0/24`, no
    host bits set), at most 64, not overlapping each other; stored sorted. """
    protocol: ApplicationProtocol | None | Unset = UNSET
    ports: list[str] | None | Unset = UNSET
    """ Destination ports (`"443"`) or inclusive ranges (`"8000-8100"`) of ports 1 to 65535, at most 32, not
    overlapping each other; `protocol` says whether they are TCP, UDP or both. """

    def to_dict(self) -> dict[str, Any]:
        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        category: None | str | Unset
        if isinstance(self.category, Unset):
            category = UNSET
        elif isinstance(self.category, str):
            category = self.category
        else:
            category = self.category

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        domains: list[str] | None | Unset
        if isinstance(self.domains, Unset):
            domains = UNSET
        elif isinstance(self.domains, list):
            domains = self.domains

        else:
            domains = self.domains

        prefixes: list[str] | None | Unset
        if isinstance(self.prefixes, Unset):
            prefixes = UNSET
        elif isinstance(self.prefixes, list):
            prefixes = self.prefixes

        else:
            prefixes = self.prefixes

        protocol: None | str | Unset
        if isinstance(self.protocol, Unset):
            protocol = UNSET
        elif isinstance(self.protocol, str):
            protocol = self.protocol
        else:
            protocol = self.protocol

        ports: list[str] | None | Unset
        if isinstance(self.ports, Unset):
            ports = UNSET
        elif isinstance(self.ports, list):
            ports = self.ports

        else:
            ports = self.ports

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if name is not UNSET:
            field_dict["name"] = name
        if category is not UNSET:
            field_dict["category"] = category
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

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        def _parse_category(data: object) -> Category | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                category_type_1 = check_category(data)

                return category_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Category | None | Unset, data)

        category = _parse_category(d.pop("category", UNSET))

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        def _parse_domains(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                domains_type_0 = cast(list[str], data)

                return domains_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        domains = _parse_domains(d.pop("domains", UNSET))

        def _parse_prefixes(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                prefixes_type_0 = cast(list[str], data)

                return prefixes_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        prefixes = _parse_prefixes(d.pop("prefixes", UNSET))

        def _parse_protocol(data: object) -> ApplicationProtocol | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                protocol_type_1 = check_application_protocol(data)

                return protocol_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ApplicationProtocol | None | Unset, data)

        protocol = _parse_protocol(d.pop("protocol", UNSET))

        def _parse_ports(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                ports_type_0 = cast(list[str], data)

                return ports_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        ports = _parse_ports(d.pop("ports", UNSET))

        tenant_application_update = cls(
            name=name,
            category=category,
            description=description,
            domains=domains,
            prefixes=prefixes,
            protocol=protocol,
            ports=ports,
        )

        return tenant_application_update
