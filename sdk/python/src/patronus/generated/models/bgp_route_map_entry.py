from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.bgp_action import BgpAction, check_bgp_action
from ..types import UNSET, Unset

T = TypeVar("T", bound="BgpRouteMapEntry")


@_attrs_define
class BgpRouteMapEntry:
    """One route-map entry: it applies to routes that match all its `match_` fields (an entry with
    none matches every route); a `permit` entry then applies its `set_` fields.

    """

    action: BgpAction
    match_prefix_list: None | str | Unset = UNSET
    """ A prefix list of this object. """
    match_communities: list[str] | Unset = UNSET
    """ Communities (`AA:NN`, or `no-export`, `no-advertise`, `local-AS`) a route must all carry. """
    set_local_preference: int | None | Unset = UNSET
    set_med: int | None | Unset = UNSET
    set_communities: list[str] | Unset = UNSET
    """ Communities added to the route (`AA:NN` or a well-known name, as above). """

    def to_dict(self) -> dict[str, Any]:
        action: str = self.action

        match_prefix_list: None | str | Unset
        if isinstance(self.match_prefix_list, Unset):
            match_prefix_list = UNSET
        else:
            match_prefix_list = self.match_prefix_list

        match_communities: list[str] | Unset = UNSET
        if not isinstance(self.match_communities, Unset):
            match_communities = self.match_communities

        set_local_preference: int | None | Unset
        if isinstance(self.set_local_preference, Unset):
            set_local_preference = UNSET
        else:
            set_local_preference = self.set_local_preference

        set_med: int | None | Unset
        if isinstance(self.set_med, Unset):
            set_med = UNSET
        else:
            set_med = self.set_med

        set_communities: list[str] | Unset = UNSET
        if not isinstance(self.set_communities, Unset):
            set_communities = self.set_communities

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "action": action,
            }
        )
        if match_prefix_list is not UNSET:
            field_dict["match_prefix_list"] = match_prefix_list
        if match_communities is not UNSET:
            field_dict["match_communities"] = match_communities
        if set_local_preference is not UNSET:
            field_dict["set_local_preference"] = set_local_preference
        if set_med is not UNSET:
            field_dict["set_med"] = set_med
        if set_communities is not UNSET:
            field_dict["set_communities"] = set_communities

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        action = check_bgp_action(d.pop("action"))

        def _parse_match_prefix_list(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        match_prefix_list = _parse_match_prefix_list(d.pop("match_prefix_list", UNSET))

        match_communities = cast(list[str], d.pop("match_communities", UNSET))

        def _parse_set_local_preference(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        set_local_preference = _parse_set_local_preference(
            d.pop("set_local_preference", UNSET)
        )

        def _parse_set_med(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        set_med = _parse_set_med(d.pop("set_med", UNSET))

        set_communities = cast(list[str], d.pop("set_communities", UNSET))

        bgp_route_map_entry = cls(
            action=action,
            match_prefix_list=match_prefix_list,
            match_communities=match_communities,
            set_local_preference=set_local_preference,
            set_med=set_med,
            set_communities=set_communities,
        )

        return bgp_route_map_entry
