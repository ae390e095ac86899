from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.bgp_route_map_entry import BgpRouteMapEntry


T = TypeVar("T", bound="BgpRouteMap")


@_attrs_define
class BgpRouteMap:
    name: str
    entries: list[BgpRouteMapEntry]
    """ Tried in order; a route no entry permits is denied. """

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        entries = []
        for entries_item_data in self.entries:
            entries_item = entries_item_data.to_dict()
            entries.append(entries_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "entries": entries,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.bgp_route_map_entry import BgpRouteMapEntry

        d = dict(src_dict)
        name = d.pop("name")

        entries = []
        _entries = d.pop("entries")
        for entries_item_data in _entries:
            entries_item = BgpRouteMapEntry.from_dict(entries_item_data)

            entries.append(entries_item)

        bgp_route_map = cls(
            name=name,
            entries=entries,
        )

        return bgp_route_map
