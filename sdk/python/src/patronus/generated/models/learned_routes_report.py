from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.learned_route_report import LearnedRouteReport


T = TypeVar("T", bound="LearnedRoutesReport")


@_attrs_define
class LearnedRoutesReport:
    """`PUT /v1/agent/bgp/routes`: every route the site's neighbours gave it that passed the import
    route maps, whole (a prefix left out is withdrawn). Sent when the set changes.

    """

    routes: list[LearnedRouteReport]

    def to_dict(self) -> dict[str, Any]:
        routes = []
        for routes_item_data in self.routes:
            routes_item = routes_item_data.to_dict()
            routes.append(routes_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "routes": routes,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.learned_route_report import LearnedRouteReport

        d = dict(src_dict)
        routes = []
        _routes = d.pop("routes")
        for routes_item_data in _routes:
            routes_item = LearnedRouteReport.from_dict(routes_item_data)

            routes.append(routes_item)

        learned_routes_report = cls(
            routes=routes,
        )

        return learned_routes_report
