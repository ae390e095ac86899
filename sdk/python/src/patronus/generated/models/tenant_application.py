from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.application_protocol import (
    ApplicationProtocol,
    check_application_protocol,
)
from ..models.category import Category, check_category

T = TypeVar("T", bound="TenantApplication")


@_attrs_define
class TenantApplication:
    """A tenant-defined application as the server returns it. Every site's compiled document carries
    the tenant's applications (`SiteConfig.applications`).

    """

    id: UUID
    name: str
    category: Category
    description: str
    domains: list[str]
    prefixes: list[str]
    protocol: ApplicationProtocol
    """ The protocol of a tenant application's `ports`: `tcp`, `udp` or `any` (both). """
    ports: list[str]
    created_at: datetime.datetime
    updated_at: datetime.datetime
    etag: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        name = self.name

        category: str = self.category

        description = self.description

        domains = self.domains

        prefixes = self.prefixes

        protocol: str = self.protocol

        ports = self.ports

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        etag = self.etag

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "category": category,
                "description": description,
                "domains": domains,
                "prefixes": prefixes,
                "protocol": protocol,
                "ports": ports,
                "created_at": created_at,
                "updated_at": updated_at,
                "etag": etag,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        name = d.pop("name")

        category = check_category(d.pop("category"))

        description = d.pop("description")

        domains = cast(list[str], d.pop("domains"))

        prefixes = cast(list[str], d.pop("prefixes"))

        protocol = check_application_protocol(d.pop("protocol"))

        ports = cast(list[str], d.pop("ports"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        etag = d.pop("etag")

        tenant_application = cls(
            id=id,
            name=name,
            category=category,
            description=description,
            domains=domains,
            prefixes=prefixes,
            protocol=protocol,
            ports=ports,
            created_at=created_at,
            updated_at=updated_at,
            etag=etag,
        )

        tenant_application.additional_properties = d
        return tenant_application

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
