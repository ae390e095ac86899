from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="PathState")


@_attrs_define
class PathState:
    """One path to a peer: a local link and a remote endpoint."""

    link: str
    endpoint: str
    """ The remote `host:port`. """
    up: bool
    active: bool | Unset = UNSET
    """ Traffic that matches no policy takes this path now. """
    rtt_ms: float | None | Unset = UNSET
    loss_percent: float | None | Unset = UNSET
    """ Probes lost over the last ten seconds. """
    jitter_ms: float | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        link = self.link

        endpoint = self.endpoint

        up = self.up

        active = self.active

        rtt_ms: float | None | Unset
        if isinstance(self.rtt_ms, Unset):
            rtt_ms = UNSET
        else:
            rtt_ms = self.rtt_ms

        loss_percent: float | None | Unset
        if isinstance(self.loss_percent, Unset):
            loss_percent = UNSET
        else:
            loss_percent = self.loss_percent

        jitter_ms: float | None | Unset
        if isinstance(self.jitter_ms, Unset):
            jitter_ms = UNSET
        else:
            jitter_ms = self.jitter_ms

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "link": link,
                "endpoint": endpoint,
                "up": up,
            }
        )
        if active is not UNSET:
            field_dict["active"] = active
        if rtt_ms is not UNSET:
            field_dict["rtt_ms"] = rtt_ms
        if loss_percent is not UNSET:
            field_dict["loss_percent"] = loss_percent
        if jitter_ms is not UNSET:
            field_dict["jitter_ms"] = jitter_ms

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        link = d.pop("link")

        endpoint = d.pop("endpoint")

        up = d.pop("up")

        active = d.pop("active", UNSET)

        def _parse_rtt_ms(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        rtt_ms = _parse_rtt_ms(d.pop("rtt_ms", UNSET))

        def _parse_loss_percent(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        loss_percent = _parse_loss_percent(d.pop("loss_percent", UNSET))

        def _parse_jitter_ms(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        jitter_ms = _parse_jitter_ms(d.pop("jitter_ms", UNSET))

        path_state = cls(
            link=link,
            endpoint=endpoint,
            up=up,
            active=active,
            rtt_ms=rtt_ms,
            loss_percent=loss_percent,
            jitter_ms=jitter_ms,
        )

        return path_state
