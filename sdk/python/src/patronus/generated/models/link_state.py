from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.link_shaping import LinkShaping


T = TypeVar("T", bound="LinkState")


@_attrs_define
class LinkState:
    """One WAN link of the reporting site."""

    name: str
    up: bool
    tx_bytes: int | Unset = UNSET
    rx_bytes: int | Unset = UNSET
    tx_packets: int | Unset = UNSET
    rx_packets: int | Unset = UNSET
    shaping: LinkShaping | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.link_shaping import LinkShaping

        name = self.name

        up = self.up

        tx_bytes = self.tx_bytes

        rx_bytes = self.rx_bytes

        tx_packets = self.tx_packets

        rx_packets = self.rx_packets

        shaping: dict[str, Any] | None | Unset
        if isinstance(self.shaping, Unset):
            shaping = UNSET
        elif isinstance(self.shaping, LinkShaping):
            shaping = self.shaping.to_dict()
        else:
            shaping = self.shaping

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "up": up,
            }
        )
        if tx_bytes is not UNSET:
            field_dict["tx_bytes"] = tx_bytes
        if rx_bytes is not UNSET:
            field_dict["rx_bytes"] = rx_bytes
        if tx_packets is not UNSET:
            field_dict["tx_packets"] = tx_packets
        if rx_packets is not UNSET:
            field_dict["rx_packets"] = rx_packets
        if shaping is not UNSET:
            field_dict["shaping"] = shaping

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.link_shaping import LinkShaping

        d = dict(src_dict)
        name = d.pop("name")

        up = d.pop("up")

        tx_bytes = d.pop("tx_bytes", UNSET)

        rx_bytes = d.pop("rx_bytes", UNSET)

        tx_packets = d.pop("tx_packets", UNSET)

        rx_packets = d.pop("rx_packets", UNSET)

        def _parse_shaping(data: object) -> LinkShaping | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                shaping_type_1 = LinkShaping.from_dict(data)

                return shaping_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(LinkShaping | None | Unset, data)

        shaping = _parse_shaping(d.pop("shaping", UNSET))

        link_state = cls(
            name=name,
            up=up,
            tx_bytes=tx_bytes,
            rx_bytes=rx_bytes,
            tx_packets=tx_packets,
            rx_packets=rx_packets,
            shaping=shaping,
        )

        return link_state
