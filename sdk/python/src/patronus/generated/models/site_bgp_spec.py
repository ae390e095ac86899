from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.bgp_neighbor_spec import BgpNeighborSpec
    from ..models.bgp_prefix_list import BgpPrefixList
    from ..models.bgp_route_map import BgpRouteMap


T = TypeVar("T", bound="SiteBgpSpec")


@_attrs_define
class SiteBgpSpec:
    """PUT body: the site's whole BGP settings. Absent fields take their defaults."""

    local_asn: int | None | Unset = UNSET
    """ The site's ASN. Default: 4200000000 plus the site's host number in the overlay prefix. """
    router_id: None | str | Unset = UNSET
    """ BGP router id. Default: the site's overlay address. """
    neighbors: list[BgpNeighborSpec] | Unset = UNSET
    """ Neighbours, each inside one of the site's LAN prefixes; addresses are unique. """
    networks: list[str] | Unset = UNSET
    """ Prefixes the site advertises to its neighbours, canonical and disjoint; none may overlap
    another site's LAN prefixes or advertised networks. """
    prefix_lists: list[BgpPrefixList] | Unset = UNSET
    route_maps: list[BgpRouteMap] | Unset = UNSET
    overlay_import: bool | Unset = UNSET
    """ Whether prefixes learned from the neighbours (after their import route maps) enter the
    overlay, routed to this site by the other sites. Default false. """
    max_learned_prefixes: int | Unset = UNSET
    """ At most this many learned prefixes per neighbour (default 1000). One more and the site
    stops accepting from that neighbour and reports an error; it never keeps a partial table. """

    def to_dict(self) -> dict[str, Any]:
        local_asn: int | None | Unset
        if isinstance(self.local_asn, Unset):
            local_asn = UNSET
        else:
            local_asn = self.local_asn

        router_id: None | str | Unset
        if isinstance(self.router_id, Unset):
            router_id = UNSET
        else:
            router_id = self.router_id

        neighbors: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.neighbors, Unset):
            neighbors = []
            for neighbors_item_data in self.neighbors:
                neighbors_item = neighbors_item_data.to_dict()
                neighbors.append(neighbors_item)

        networks: list[str] | Unset = UNSET
        if not isinstance(self.networks, Unset):
            networks = self.networks

        prefix_lists: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.prefix_lists, Unset):
            prefix_lists = []
            for prefix_lists_item_data in self.prefix_lists:
                prefix_lists_item = prefix_lists_item_data.to_dict()
                prefix_lists.append(prefix_lists_item)

        route_maps: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.route_maps, Unset):
            route_maps = []
            for route_maps_item_data in self.route_maps:
                route_maps_item = route_maps_item_data.to_dict()
                route_maps.append(route_maps_item)

        overlay_import = self.overlay_import

        max_learned_prefixes = self.max_learned_prefixes

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if local_asn is not UNSET:
            field_dict["local_asn"] = local_asn
        if router_id is not UNSET:
            field_dict["router_id"] = router_id
        if neighbors is not UNSET:
            field_dict["neighbors"] = neighbors
        if networks is not UNSET:
            field_dict["networks"] = networks
        if prefix_lists is not UNSET:
            field_dict["prefix_lists"] = prefix_lists
        if route_maps is not UNSET:
            field_dict["route_maps"] = route_maps
        if overlay_import is not UNSET:
            field_dict["overlay_import"] = overlay_import
        if max_learned_prefixes is not UNSET:
            field_dict["max_learned_prefixes"] = max_learned_prefixes

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.bgp_neighbor_spec import BgpNeighborSpec
        from ..models.bgp_prefix_list import BgpPrefixList
        from ..models.bgp_route_map import BgpRouteMap

        d = dict(src_dict)

        def _parse_local_asn(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        local_asn = _parse_local_asn(d.pop("local_asn", UNSET))

        def _parse_router_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        router_id = _parse_router_id(d.pop("router_id", UNSET))

        _neighbors = d.pop("neighbors", UNSET)
        neighbors: list[BgpNeighborSpec] | Unset = UNSET
        if _neighbors is not UNSET:
            neighbors = []
            for neighbors_item_data in _neighbors:
                neighbors_item = BgpNeighborSpec.from_dict(neighbors_item_data)

                neighbors.append(neighbors_item)

        networks = cast(list[str], d.pop("networks", UNSET))

        _prefix_lists = d.pop("prefix_lists", UNSET)
        prefix_lists: list[BgpPrefixList] | Unset = UNSET
        if _prefix_lists is not UNSET:
            prefix_lists = []
            for prefix_lists_item_data in _prefix_lists:
                prefix_lists_item = BgpPrefixList.from_dict(prefix_lists_item_data)

                prefix_lists.append(prefix_lists_item)

        _route_maps = d.pop("route_maps", UNSET)
        route_maps: list[BgpRouteMap] | Unset = UNSET
        if _route_maps is not UNSET:
            route_maps = []
            for route_maps_item_data in _route_maps:
                route_maps_item = BgpRouteMap.from_dict(route_maps_item_data)

                route_maps.append(route_maps_item)

        overlay_import = d.pop("overlay_import", UNSET)

        max_learned_prefixes = d.pop("max_learned_prefixes", UNSET)

        site_bgp_spec = cls(
            local_asn=local_asn,
            router_id=router_id,
            neighbors=neighbors,
            networks=networks,
            prefix_lists=prefix_lists,
            route_maps=route_maps,
            overlay_import=overlay_import,
            max_learned_prefixes=max_learned_prefixes,
        )

        return site_bgp_spec
