from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.path_series import PathSeries


T = TypeVar("T", bound="PathHistory")


@_attrs_define
class PathHistory:
    """A site's path history between two times."""

    site_id: UUID
    from_: datetime.datetime
    to: datetime.datetime
    step_seconds: int
    series: list[PathSeries]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        site_id = str(self.site_id)

        from_ = self.from_.isoformat()

        to = self.to.isoformat()

        step_seconds = self.step_seconds

        series = []
        for series_item_data in self.series:
            series_item = series_item_data.to_dict()
            series.append(series_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "site_id": site_id,
                "from": from_,
                "to": to,
                "step_seconds": step_seconds,
                "series": series,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.path_series import PathSeries

        d = dict(src_dict)
        site_id = UUID(d.pop("site_id"))

        from_ = datetime.datetime.fromisoformat(d.pop("from"))

        to = datetime.datetime.fromisoformat(d.pop("to"))

        step_seconds = d.pop("step_seconds")

        series = []
        _series = d.pop("series")
        for series_item_data in _series:
            series_item = PathSeries.from_dict(series_item_data)

            series.append(series_item)

        path_history = cls(
            site_id=site_id,
            from_=from_,
            to=to,
            step_seconds=step_seconds,
            series=series,
        )

        path_history.additional_properties = d
        return path_history

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
