from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.policy_peer_status import PolicyPeerStatus


T = TypeVar("T", bound="PolicyStatus")


@_attrs_define
class PolicyStatus:
    """One policy of the running document, as the agent applies it."""

    name: str
    inactive: bool | Unset = UNSET
    """ The policy names an application the agent cannot recognise (its recognition is off, or its
    catalogue lacks the name): it matches no traffic. """
    packets: int | Unset = UNSET
    """ Packets from the LAN the policy matched, and their bytes. """
    bytes_: int | Unset = UNSET
    peers: list[PolicyPeerStatus] | Unset = UNSET
    """ Per peer: where the policy's traffic goes. """

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        inactive = self.inactive

        packets = self.packets

        bytes_ = self.bytes_

        peers: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.peers, Unset):
            peers = []
            for peers_item_data in self.peers:
                peers_item = peers_item_data.to_dict()
                peers.append(peers_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
            }
        )
        if inactive is not UNSET:
            field_dict["inactive"] = inactive
        if packets is not UNSET:
            field_dict["packets"] = packets
        if bytes_ is not UNSET:
            field_dict["bytes"] = bytes_
        if peers is not UNSET:
            field_dict["peers"] = peers

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.policy_peer_status import PolicyPeerStatus

        d = dict(src_dict)
        name = d.pop("name")

        inactive = d.pop("inactive", UNSET)

        packets = d.pop("packets", UNSET)

        bytes_ = d.pop("bytes", UNSET)

        _peers = d.pop("peers", UNSET)
        peers: list[PolicyPeerStatus] | Unset = UNSET
        if _peers is not UNSET:
            peers = []
            for peers_item_data in _peers:
                peers_item = PolicyPeerStatus.from_dict(peers_item_data)

                peers.append(peers_item)

        policy_status = cls(
            name=name,
            inactive=inactive,
            packets=packets,
            bytes_=bytes_,
            peers=peers,
        )

        return policy_status
