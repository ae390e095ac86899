from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.learned_route_state import LearnedRouteState, check_learned_route_state
from ..types import UNSET, Unset

T = TypeVar("T", bound="LearnedRoute")


@_attrs_define
class LearnedRoute:
    """A learned route as the API shows it (`GET /v1/sites/{id}/bgp/routes`)."""

    prefix: str
    neighbor: str
    as_path: str
    communities: list[str]
    state: LearnedRouteState
    learned_at: datetime.datetime
    """ When the site first had the prefix (from this neighbour, or from another one it still had
    then): what "learned earlier" compares when two sites learn overlapping prefixes. """
    local_preference: int | None | Unset = UNSET
    med: int | None | Unset = UNSET
    reason: None | str | Unset = UNSET
    """ Why a refused route is refused, for people. """
    conflicting_site_id: None | Unset | UUID = UNSET
    """ The site whose prefix it collides with, when refused for a collision. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        prefix = self.prefix

        neighbor = self.neighbor

        as_path = self.as_path

        communities = self.communities

        state: str = self.state

        learned_at = self.learned_at.isoformat()

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

        reason: None | str | Unset
        if isinstance(self.reason, Unset):
            reason = UNSET
        else:
            reason = self.reason

        conflicting_site_id: None | str | Unset
        if isinstance(self.conflicting_site_id, Unset):
            conflicting_site_id = UNSET
        elif isinstance(self.conflicting_site_id, UUID):
            conflicting_site_id = str(self.conflicting_site_id)
        else:
            conflicting_site_id = self.conflicting_site_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "prefix": prefix,
                "neighbor": neighbor,
                "as_path": as_path,
                "communities": communities,
                "state": state,
                "learned_at": learned_at,
            }
        )
        if local_preference is not UNSET:
            field_dict["local_preference"] = local_preference
        if med is not UNSET:
            field_dict["med"] = med
        if reason is not UNSET:
            field_dict["reason"] = reason
        if conflicting_site_id is not UNSET:
            field_dict["conflicting_site_id"] = conflicting_site_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        prefix = d.pop("prefix")

        neighbor = d.pop("neighbor")

        as_path = d.pop("as_path")

        communities = cast(list[str], d.pop("communities"))

        state = check_learned_route_state(d.pop("state"))

        learned_at = datetime.datetime.fromisoformat(d.pop("learned_at"))

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

        def _parse_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        reason = _parse_reason(d.pop("reason", UNSET))

        def _parse_conflicting_site_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                conflicting_site_id_type_0 = UUID(data)

                return conflicting_site_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        conflicting_site_id = _parse_conflicting_site_id(
            d.pop("conflicting_site_id", UNSET)
        )

        learned_route = cls(
            prefix=prefix,
            neighbor=neighbor,
            as_path=as_path,
            communities=communities,
            state=state,
            learned_at=learned_at,
            local_preference=local_preference,
            med=med,
            reason=reason,
            conflicting_site_id=conflicting_site_id,
        )

        learned_route.additional_properties = d
        return learned_route

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
