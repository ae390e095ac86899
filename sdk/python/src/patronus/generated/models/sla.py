from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="Sla")


@_attrs_define
class Sla:
    """Thresholds a path must meet; a path that crosses one is failed away from."""

    max_latency_ms: int | None | Unset = UNSET
    max_loss_percent: float | None | Unset = UNSET
    max_jitter_ms: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        max_latency_ms: int | None | Unset
        if isinstance(self.max_latency_ms, Unset):
            max_latency_ms = UNSET
        else:
            max_latency_ms = self.max_latency_ms

        max_loss_percent: float | None | Unset
        if isinstance(self.max_loss_percent, Unset):
            max_loss_percent = UNSET
        else:
            max_loss_percent = self.max_loss_percent

        max_jitter_ms: int | None | Unset
        if isinstance(self.max_jitter_ms, Unset):
            max_jitter_ms = UNSET
        else:
            max_jitter_ms = self.max_jitter_ms

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if max_latency_ms is not UNSET:
            field_dict["max_latency_ms"] = max_latency_ms
        if max_loss_percent is not UNSET:
            field_dict["max_loss_percent"] = max_loss_percent
        if max_jitter_ms is not UNSET:
            field_dict["max_jitter_ms"] = max_jitter_ms

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_max_latency_ms(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_latency_ms = _parse_max_latency_ms(d.pop("max_latency_ms", UNSET))

        def _parse_max_loss_percent(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        max_loss_percent = _parse_max_loss_percent(d.pop("max_loss_percent", UNSET))

        def _parse_max_jitter_ms(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_jitter_ms = _parse_max_jitter_ms(d.pop("max_jitter_ms", UNSET))

        sla = cls(
            max_latency_ms=max_latency_ms,
            max_loss_percent=max_loss_percent,
            max_jitter_ms=max_jitter_ms,
        )

        return sla
