from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.site_role import SiteRole, check_site_role
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.link import Link
    from ..models.site_labels import SiteLabels


T = TypeVar("T", bound="Site")


@_attrs_define
class Site:
    id: UUID
    name: str
    description: str
    location: str
    labels: SiteLabels
    role: SiteRole
    """ `hub` sites relay for spokes in a hub-and-spoke topology; `edge` sites are everything else. """
    lan_prefixes: list[str]
    listen_port: int
    overlay_address: str
    """ The site's address on the overlay, allocated by the server from the tenant's overlay prefix. """
    created_at: datetime.datetime
    updated_at: datetime.datetime
    etag: str
    links: list[Link] | Unset = UNSET
    """ The site's WAN links, by name, however they were made. The site's ETag covers its own
    fields only; each link has its own. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        name = self.name

        description = self.description

        location = self.location

        labels = self.labels.to_dict()

        role: str = self.role

        lan_prefixes = self.lan_prefixes

        listen_port = self.listen_port

        overlay_address = self.overlay_address

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        etag = self.etag

        links: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.links, Unset):
            links = []
            for links_item_data in self.links:
                links_item = links_item_data.to_dict()
                links.append(links_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "description": description,
                "location": location,
                "labels": labels,
                "role": role,
                "lan_prefixes": lan_prefixes,
                "listen_port": listen_port,
                "overlay_address": overlay_address,
                "created_at": created_at,
                "updated_at": updated_at,
                "etag": etag,
            }
        )
        if links is not UNSET:
            field_dict["links"] = links

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.link import Link
        from ..models.site_labels import SiteLabels

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        name = d.pop("name")

        description = d.pop("description")

        location = d.pop("location")

        labels = SiteLabels.from_dict(d.pop("labels"))

        role = check_site_role(d.pop("role"))

        lan_prefixes = cast(list[str], d.pop("lan_prefixes"))

        listen_port = d.pop("listen_port")

        overlay_address = d.pop("overlay_address")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        etag = d.pop("etag")

        _links = d.pop("links", UNSET)
        links: list[Link] | Unset = UNSET
        if _links is not UNSET:
            links = []
            for links_item_data in _links:
                links_item = Link.from_dict(links_item_data)

                links.append(links_item)

        site = cls(
            id=id,
            name=name,
            description=description,
            location=location,
            labels=labels,
            role=role,
            lan_prefixes=lan_prefixes,
            listen_port=listen_port,
            overlay_address=overlay_address,
            created_at=created_at,
            updated_at=updated_at,
            etag=etag,
            links=links,
        )

        site.additional_properties = d
        return site

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
