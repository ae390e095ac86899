from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.site_role import SiteRole, check_site_role
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.site_link import SiteLink
    from ..models.site_update_labels_type_0 import SiteUpdateLabelsType0


T = TypeVar("T", bound="SiteUpdate")


@_attrs_define
class SiteUpdate:
    """PATCH body: absent fields keep their value; `labels` and `lan_prefixes` replace the whole set."""

    name: None | str | Unset = UNSET
    description: None | str | Unset = UNSET
    location: None | str | Unset = UNSET
    labels: None | SiteUpdateLabelsType0 | Unset = UNSET
    """ Labels: at most 64, keys of 1 to 63 characters of `a-z A-Z 0-9 . _ - /`, values of at most 255 characters
    without control characters. """
    role: None | SiteRole | Unset = UNSET
    lan_prefixes: list[str] | None | Unset = UNSET
    """ IPv4 and IPv6 prefixes behind the site in canonical form (`10.1.0.0/16`, no host bits set), at most 256;
    they may not overlap each other, the tenant's overlay prefix or another site's prefixes. """
    listen_port: int | None | Unset = UNSET
    links: list[SiteLink] | None | Unset = UNSET
    """ Replaces the site's whole link set in the same transaction, matched by name: a listed link
    that exists is updated in place (it keeps its id), a new name is created, and a link not
    listed is deleted. `[]` deletes every link. Absent: the links stay as they are. """

    def to_dict(self) -> dict[str, Any]:
        from ..models.site_update_labels_type_0 import SiteUpdateLabelsType0

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        location: None | str | Unset
        if isinstance(self.location, Unset):
            location = UNSET
        else:
            location = self.location

        labels: dict[str, Any] | None | Unset
        if isinstance(self.labels, Unset):
            labels = UNSET
        elif isinstance(self.labels, SiteUpdateLabelsType0):
            labels = self.labels.to_dict()
        else:
            labels = self.labels

        role: None | str | Unset
        if isinstance(self.role, Unset):
            role = UNSET
        elif isinstance(self.role, str):
            role = self.role
        else:
            role = self.role

        lan_prefixes: list[str] | None | Unset
        if isinstance(self.lan_prefixes, Unset):
            lan_prefixes = UNSET
        elif isinstance(self.lan_prefixes, list):
            lan_prefixes = self.lan_prefixes

        else:
            lan_prefixes = self.lan_prefixes

        listen_port: int | None | Unset
        if isinstance(self.listen_port, Unset):
            listen_port = UNSET
        else:
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

        field_dict.update({})
        if name is not UNSET:
            field_dict["name"] = name
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
        from ..models.site_link import SiteLink
        from ..models.site_update_labels_type_0 import SiteUpdateLabelsType0

        d = dict(src_dict)

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        def _parse_location(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        location = _parse_location(d.pop("location", UNSET))

        def _parse_labels(data: object) -> None | SiteUpdateLabelsType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                labels_type_0 = SiteUpdateLabelsType0.from_dict(data)

                return labels_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SiteUpdateLabelsType0 | Unset, data)

        labels = _parse_labels(d.pop("labels", UNSET))

        def _parse_role(data: object) -> None | SiteRole | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                role_type_1 = check_site_role(data)

                return role_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SiteRole | Unset, data)

        role = _parse_role(d.pop("role", UNSET))

        def _parse_lan_prefixes(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                lan_prefixes_type_0 = cast(list[str], data)

                return lan_prefixes_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        lan_prefixes = _parse_lan_prefixes(d.pop("lan_prefixes", UNSET))

        def _parse_listen_port(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        listen_port = _parse_listen_port(d.pop("listen_port", UNSET))

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

        site_update = cls(
            name=name,
            description=description,
            location=location,
            labels=labels,
            role=role,
            lan_prefixes=lan_prefixes,
            listen_port=listen_port,
            links=links,
        )

        return site_update
