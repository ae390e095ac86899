from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.bgp_prefix_list import BgpPrefixList
    from ..models.bgp_route_map import BgpRouteMap
    from ..models.config_bgp_neighbor import ConfigBgpNeighbor


T = TypeVar("T", bound="ConfigBgp")


@_attrs_define
class ConfigBgp:
    """What the site's agent needs to run BGP (`/v1/sites/{id}/bgp`, with the neighbours'
    passwords: this document goes only to the site's own agent). Neighbours are sorted by
    address, networks by their text, prefix lists and route maps by name; entries keep their
    order, which is their sequence (5, 10, 15, ..).

    """

    local_asn: int
    router_id: str
    neighbors: list[ConfigBgpNeighbor]
    networks: list[str]
    prefix_lists: list[BgpPrefixList]
    route_maps: list[BgpRouteMap]
    overlay_import: bool
    """ Whether learned prefixes enter the overlay. """
    max_learned_prefixes: int
    """ Per neighbour: one more learned prefix and the agent stops accepting from it and reports
    the error in its status. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        local_asn = self.local_asn

        router_id = self.router_id

        neighbors = []
        for neighbors_item_data in self.neighbors:
            neighbors_item = neighbors_item_data.to_dict()
            neighbors.append(neighbors_item)

        networks = self.networks

        prefix_lists = []
        for prefix_lists_item_data in self.prefix_lists:
            prefix_lists_item = prefix_lists_item_data.to_dict()
            prefix_lists.append(prefix_lists_item)

        route_maps = []
        for route_maps_item_data in self.route_maps:
            route_maps_item = route_maps_item_data.to_dict()
            route_maps.append(route_maps_item)

        overlay_import = self.overlay_import

        max_learned_prefixes = self.max_learned_prefixes

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "local_asn": local_asn,
                "router_id": router_id,
                "neighbors": neighbors,
                "networks": networks,
                "prefix_lists": prefix_lists,
                "route_maps": route_maps,
                "overlay_import": overlay_import,
                "max_learned_prefixes": max_learned_prefixes,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.bgp_prefix_list import BgpPrefixList
        from ..models.bgp_route_map import BgpRouteMap
        from ..models.config_bgp_neighbor import ConfigBgpNeighbor

        d = dict(src_dict)
        local_asn = d.pop("local_asn")

        router_id = d.pop("router_id")

        neighbors = []
        _neighbors = d.pop("neighbors")
        for neighbors_item_data in _neighbors:
            neighbors_item = ConfigBgpNeighbor.from_dict(neighbors_item_data)

            neighbors.append(neighbors_item)

        networks = cast(list[str], d.pop("networks"))

        prefix_lists = []
        _prefix_lists = d.pop("prefix_lists")
        for prefix_lists_item_data in _prefix_lists:
            prefix_lists_item = BgpPrefixList.from_dict(prefix_lists_item_data)

            prefix_lists.append(prefix_lists_item)

        route_maps = []
        _route_maps = d.pop("route_maps")
        for route_maps_item_data in _route_maps:
            route_maps_item = BgpRouteMap.from_dict(route_maps_item_data)

            route_maps.append(route_maps_item)

        overlay_import = d.pop("overlay_import")

        max_learned_prefixes = d.pop("max_learned_prefixes")

        config_bgp = cls(
            local_asn=local_asn,
            router_id=router_id,
            neighbors=neighbors,
            networks=networks,
            prefix_lists=prefix_lists,
            route_maps=route_maps,
            overlay_import=overlay_import,
            max_learned_prefixes=max_learned_prefixes,
        )

        config_bgp.additional_properties = d
        return config_bgp

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
