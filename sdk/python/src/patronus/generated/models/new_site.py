from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.site_role import SiteRole, check_site_role
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.new_site_labels import NewSiteLabels
    from ..models.site_link import SiteLink


T = TypeVar("T", bound="NewSite")


@_attrs_define
class NewSite:
    name: str
    description: str | Unset = UNSET
    location: str | Unset = UNSET
    """ Free text: a city, a data centre, an address. """
    labels: NewSiteLabels | Unset = UNSET
    """ Labels: at most 64, keys of 1 to 63 characters of `a-z A-Z 0-9 . _ - /`, values of at most 255 characters
    without control characters. """
    role: SiteRole | Unset = UNSET
    """ `hub` sites relay for spokes in a hub-and-spoke topology; `edge` sites are everything else. """
    lan_prefixes: list[str] | Unset = UNSET
    """ IPv4 and IPv6 prefixes behind the site in canonical form (`10.1.0.0/16`, no host bits set), at most 256;
    they may not overlap each other, the tenant's overlay prefix or another site's prefixes. """
    listen_port: int | Unset = UNSET
    """ UDP port WireGuard listens on (default 51820). """
    links: list[SiteLink] | None | Unset = UNSET
    """ The site's WAN links, created with it in one transaction. Absent: the site starts without
    links (add them with `POST /v1/links`). """

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        description = self.description

        location = self.location

        labels: dict[str, Any] | Unset = UNSET
        if not isinstance(self.labels, Unset):
            labels = self.labels.to_dict()

        role: str | Unset = UNSET
        if not isinstance(self.role, Unset):
            role = self.role

        lan_prefixes: list[str] | Unset = UNSET
        if not isinstance(self.lan_prefixes, Unset):
            lan_prefixes = self.lan_prefixes

        listen_port = self.listen_port

        links: list[dict[str, Any]] | None | Unset
        if isinstance(self.links, Unset):
            links = UNSET
        elif isinstance(self.links, list):
            links = []
            for links_type_0_item_data in self.links:
                links_type_0_item = links_type_0_item_data.to_dict()
                links.append(links_type_0_item)

        else:
            links = self.links

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if location is not UNSET:
            field_dict["location"] = location
        if labels is not UNSET:
            field_dict["labels"] = labels
        if role is not UNSET:
            field_dict["role"] = role
        if lan_prefixes is not UNSET:
            field_dict["lan_prefixes"] = lan_prefixes
        if listen_port is not UNSET:
            field_dict["listen_port"] = listen_port
        if links is not UNSET:
            field_dict["links"] = links

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.new_site_labels import NewSiteLabels
        from ..models.site_link import SiteLink

        d = dict(src_dict)
        name = d.pop("name")

        description = d.pop("description", UNSET)

        location = d.pop("location", UNSET)

        _labels = d.pop("labels", UNSET)
        labels: NewSiteLabels | Unset
        if isinstance(_labels, Unset):
            labels = UNSET
        else:
            labels = NewSiteLabels.from_dict(_labels)

        _role = d.pop("role", UNSET)
        role: SiteRole | Unset
        if isinstance(_role, Unset):
            role = UNSET
        else:
            role = check_site_role(_role)

        lan_prefixes = cast(list[str], d.pop("lan_prefixes", UNSET))

        listen_port = d.pop("listen_port", UNSET)

        def _parse_links(data: object) -> list[SiteLink] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                links_type_0 = []
                _links_type_0 = data
                for links_type_0_item_data in _links_type_0:
                    links_type_0_item = SiteLink.from_dict(links_type_0_item_data)

                    links_type_0.append(links_type_0_item)

                return links_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[SiteLink] | None | Unset, data)

        links = _parse_links(d.pop("links", UNSET))

        new_site = cls(
            name=name,
            description=description,
            location=location,
            labels=labels,
            role=role,
            lan_prefixes=lan_prefixes,
            listen_port=listen_port,
            links=links,
        )

        return new_site
