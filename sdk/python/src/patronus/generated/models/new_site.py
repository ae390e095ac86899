from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.site_role import SiteRole, check_site_role
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.new_site_labels import NewSiteLabels


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

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.new_site_labels import NewSiteLabels

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

        new_site = cls(
            name=name,
            description=description,
            location=location,
            labels=labels,
            role=role,
            lan_prefixes=lan_prefixes,
            listen_port=listen_port,
        )

        return new_site
