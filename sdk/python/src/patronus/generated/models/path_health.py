from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="PathHealth")


@_attrs_define
class PathHealth:
    """A path's health now, from the site's latest status report."""

    peer_site_id: UUID
    link: str
    endpoint: str
    """ The remote `host:port`. """
    up: bool
    active: bool
    """ Traffic that matches no policy uses this path now. """
    rtt_ms: float | None | Unset = UNSET
    jitter_ms: float | None | Unset = UNSET
    loss_percent: float | None | Unset = UNSET
    """ Probes lost over the last ten seconds (an SLA's `max_loss_percent` is checked over the last second). """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        peer_site_id = str(self.peer_site_id)

        link = self.link

        endpoint = self.endpoint

        up = self.up

        active = self.active

        rtt_ms: float | None | Unset
        if isinstance(self.rtt_ms, Unset):
            rtt_ms = UNSET
        else:
            rtt_ms = self.rtt_ms

        jitter_ms: float | None | Unset
        if isinstance(self.jitter_ms, Unset):
            jitter_ms = UNSET
        else:
            jitter_ms = self.jitter_ms

        loss_percent: float | None | Unset
        if isinstance(self.loss_percent, Unset):
            loss_percent = UNSET
        else:
            loss_percent = self.loss_percent

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "peer_site_id": peer_site_id,
                "link": link,
                "endpoint": endpoint,
                "up": up,
                "active": active,
            }
        )
        if rtt_ms is not UNSET:
            field_dict["rtt_ms"] = rtt_ms
        if jitter_ms is not UNSET:
            field_dict["jitter_ms"] = jitter_ms
        if loss_percent is not UNSET:
            field_dict["loss_percent"] = loss_percent

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        peer_site_id = UUID(d.pop("peer_site_id"))

        link = d.pop("link")

        endpoint = d.pop("endpoint")

        up = d.pop("up")

        active = d.pop("active")

        def _parse_rtt_ms(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        rtt_ms = _parse_rtt_ms(d.pop("rtt_ms", UNSET))

        def _parse_jitter_ms(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        jitter_ms = _parse_jitter_ms(d.pop("jitter_ms", UNSET))

        def _parse_loss_percent(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        loss_percent = _parse_loss_percent(d.pop("loss_percent", UNSET))

        path_health = cls(
            peer_site_id=peer_site_id,
            link=link,
            endpoint=endpoint,
            up=up,
            active=active,
            rtt_ms=rtt_ms,
            jitter_ms=jitter_ms,
            loss_percent=loss_percent,
        )

        path_health.additional_properties = d
        return path_health

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
