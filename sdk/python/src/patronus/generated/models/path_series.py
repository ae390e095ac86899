from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.path_point import PathPoint


T = TypeVar("T", bound="PathSeries")


@_attrs_define
class PathSeries:
    """The history of one path."""

    peer_site_id: UUID
    link: str
    points: list[PathPoint]
    """ Intervals with at least one sample, oldest first. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        peer_site_id = str(self.peer_site_id)

        link = self.link

        points = []
        for points_item_data in self.points:
            points_item = points_item_data.to_dict()
            points.append(points_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "peer_site_id": peer_site_id,
                "link": link,
                "points": points,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.path_point import PathPoint

        d = dict(src_dict)
        peer_site_id = UUID(d.pop("peer_site_id"))

        link = d.pop("link")

        points = []
        _points = d.pop("points")
        for points_item_data in _points:
            points_item = PathPoint.from_dict(points_item_data)

            points.append(points_item)

        path_series = cls(
            peer_site_id=peer_site_id,
            link=link,
            points=points,
        )

        path_series.additional_properties = d
        return path_series

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
