from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="LearnedRouteReport")


@_attrs_define
class LearnedRouteReport:
    prefix: str
    neighbor: str
    """ The neighbour it was learned from. """
    as_path: str | Unset = UNSET
    """ AS path as FRR prints it (`65001 65002`), empty for the neighbour's own routes. """
    communities: list[str] | Unset = UNSET
    local_preference: int | None | Unset = UNSET
    med: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        prefix = self.prefix

        neighbor = self.neighbor

        as_path = self.as_path

        communities: list[str] | Unset = UNSET
        if not isinstance(self.communities, Unset):
            communities = self.communities

        local_preference: int | None | Unset
        if isinstance(self.local_preference, Unset):
            local_preference = UNSET
        else:
            local_preference = self.local_preference

        med: int | None | Unset
        if isinstance(self.med, Unset):
            med = UNSET
        else:
            med = self.med

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "prefix": prefix,
                "neighbor": neighbor,
            }
        )
        if as_path is not UNSET:
            field_dict["as_path"] = as_path
        if communities is not UNSET:
            field_dict["communities"] = communities
        if local_preference is not UNSET:
            field_dict["local_preference"] = local_preference
        if med is not UNSET:
            field_dict["med"] = med

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        prefix = d.pop("prefix")

        neighbor = d.pop("neighbor")

        as_path = d.pop("as_path", UNSET)

        communities = cast(list[str], d.pop("communities", UNSET))

        def _parse_local_preference(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        local_preference = _parse_local_preference(d.pop("local_preference", UNSET))

        def _parse_med(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        med = _parse_med(d.pop("med", UNSET))

        learned_route_report = cls(
            prefix=prefix,
            neighbor=neighbor,
            as_path=as_path,
            communities=communities,
            local_preference=local_preference,
            med=med,
        )

        return learned_route_report
