from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="ApplicationUsage")


@_attrs_define
class ApplicationUsage:
    """One application's share of the site's traffic into the overlay."""

    name: str
    """ The application's name in the catalogue. """
    flows: int
    """ Flows recognised as it. """
    packets: int
    """ Packets and bytes of its flows from their recognition on (the packets before, a TCP
    flow's handshake, are not counted). """
    bytes_: int

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        flows = self.flows

        packets = self.packets

        bytes_ = self.bytes_

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "flows": flows,
                "packets": packets,
                "bytes": bytes_,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        name = d.pop("name")

        flows = d.pop("flows")

        packets = d.pop("packets")

        bytes_ = d.pop("bytes")

        application_usage = cls(
            name=name,
            flows=flows,
            packets=packets,
            bytes_=bytes_,
        )

        return application_usage
