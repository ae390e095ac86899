from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.path_state import PathState


T = TypeVar("T", bound="PeerState")


@_attrs_define
class PeerState:
    """One peer of the reporting site."""

    site_id: UUID
    active_link: None | str | Unset = UNSET
    """ The local link of the path traffic uses now, if any path is up. """
    handshake_age_seconds: int | None | Unset = UNSET
    """ Seconds since the last completed handshake. """
    paths: list[PathState] | Unset = UNSET
    tx_bytes: int | Unset = UNSET
    rx_bytes: int | Unset = UNSET
    tx_packets: int | Unset = UNSET
    rx_packets: int | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        site_id = str(self.site_id)

        active_link: None | str | Unset
        if isinstance(self.active_link, Unset):
            active_link = UNSET
        else:
            active_link = self.active_link

        handshake_age_seconds: int | None | Unset
        if isinstance(self.handshake_age_seconds, Unset):
            handshake_age_seconds = UNSET
        else:
            handshake_age_seconds = self.handshake_age_seconds

        paths: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.paths, Unset):
            paths = []
            for paths_item_data in self.paths:
                paths_item = paths_item_data.to_dict()
                paths.append(paths_item)

        tx_bytes = self.tx_bytes

        rx_bytes = self.rx_bytes

        tx_packets = self.tx_packets

        rx_packets = self.rx_packets

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "site_id": site_id,
            }
        )
        if active_link is not UNSET:
            field_dict["active_link"] = active_link
        if handshake_age_seconds is not UNSET:
            field_dict["handshake_age_seconds"] = handshake_age_seconds
        if paths is not UNSET:
            field_dict["paths"] = paths
        if tx_bytes is not UNSET:
            field_dict["tx_bytes"] = tx_bytes
        if rx_bytes is not UNSET:
            field_dict["rx_bytes"] = rx_bytes
        if tx_packets is not UNSET:
            field_dict["tx_packets"] = tx_packets
        if rx_packets is not UNSET:
            field_dict["rx_packets"] = rx_packets

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.path_state import PathState

        d = dict(src_dict)
        site_id = UUID(d.pop("site_id"))

        def _parse_active_link(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        active_link = _parse_active_link(d.pop("active_link", UNSET))

        def _parse_handshake_age_seconds(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        handshake_age_seconds = _parse_handshake_age_seconds(
            d.pop("handshake_age_seconds", UNSET)
        )

        _paths = d.pop("paths", UNSET)
        paths: list[PathState] | Unset = UNSET
        if _paths is not UNSET:
            paths = []
            for paths_item_data in _paths:
                paths_item = PathState.from_dict(paths_item_data)

                paths.append(paths_item)

        tx_bytes = d.pop("tx_bytes", UNSET)

        rx_bytes = d.pop("rx_bytes", UNSET)

        tx_packets = d.pop("tx_packets", UNSET)

        rx_packets = d.pop("rx_packets", UNSET)

        peer_state = cls(
            site_id=site_id,
            active_link=active_link,
            handshake_age_seconds=handshake_age_seconds,
            paths=paths,
            tx_bytes=tx_bytes,
            rx_bytes=rx_bytes,
            tx_packets=tx_packets,
            rx_packets=rx_packets,
        )

        return peer_state
