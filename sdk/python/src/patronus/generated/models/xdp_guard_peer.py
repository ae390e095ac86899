from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define

T = TypeVar("T", bound="XdpGuardPeer")


@_attrs_define
class XdpGuardPeer:
    """What the guard let through for one peer's sessions."""

    site_id: UUID
    packets: int
    bytes_: int

    def to_dict(self) -> dict[str, Any]:
        site_id = str(self.site_id)

        packets = self.packets

        bytes_ = self.bytes_

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "site_id": site_id,
                "packets": packets,
                "bytes": bytes_,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        site_id = UUID(d.pop("site_id"))

        packets = d.pop("packets")

        bytes_ = d.pop("bytes")

        xdp_guard_peer = cls(
            site_id=site_id,
            packets=packets,
            bytes_=bytes_,
        )

        return xdp_guard_peer
