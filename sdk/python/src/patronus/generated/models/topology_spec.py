from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.topology_mode import TopologyMode, check_topology_mode
from ..types import UNSET, Unset

T = TypeVar("T", bound="TopologySpec")


@_attrs_define
class TopologySpec:
    """The tenant's overlay settings (one per tenant). PUT replaces them; absent fields take defaults."""

    mode: TopologyMode
    overlay_prefix: None | str | Unset = UNSET
    """ IPv4 prefix the overlay addresses of sites are allocated from (default `100.64.0.0/16`),
    in canonical form, /8 to /30. Can change only while the tenant has no sites. """
    persistent_keepalive: int | None | Unset = UNSET
    """ WireGuard persistent keepalive in seconds, 0 to disable (default 25). """

    def to_dict(self) -> dict[str, Any]:
        mode: str = self.mode

        overlay_prefix: None | str | Unset
        if isinstance(self.overlay_prefix, Unset):
            overlay_prefix = UNSET
        else:
            overlay_prefix = self.overlay_prefix

        persistent_keepalive: int | None | Unset
        if isinstance(self.persistent_keepalive, Unset):
            persistent_keepalive = UNSET
        else:
            persistent_keepalive = self.persistent_keepalive

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "mode": mode,
            }
        )
        if overlay_prefix is not UNSET:
            field_dict["overlay_prefix"] = overlay_prefix
        if persistent_keepalive is not UNSET:
            field_dict["persistent_keepalive"] = persistent_keepalive

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        mode = check_topology_mode(d.pop("mode"))

        def _parse_overlay_prefix(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        overlay_prefix = _parse_overlay_prefix(d.pop("overlay_prefix", UNSET))

        def _parse_persistent_keepalive(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        persistent_keepalive = _parse_persistent_keepalive(
            d.pop("persistent_keepalive", UNSET)
        )

        topology_spec = cls(
            mode=mode,
            overlay_prefix=overlay_prefix,
            persistent_keepalive=persistent_keepalive,
        )

        return topology_spec
