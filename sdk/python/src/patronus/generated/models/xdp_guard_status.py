from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.xdp_guard_state import XdpGuardState, check_xdp_guard_state
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.xdp_guard_counters import XdpGuardCounters
    from ..models.xdp_guard_link import XdpGuardLink
    from ..models.xdp_guard_peer import XdpGuardPeer


T = TypeVar("T", bound="XdpGuardStatus")


@_attrs_define
class XdpGuardStatus:
    """The XDP guard: a program on each WAN interface that drops, before the agent sees them,
    datagrams to the listen port that are not well-formed WireGuard messages, that name a session
    the agent has not issued, or that are handshake initiations above a per-source rate.

    """

    state: XdpGuardState
    warning: None | str | Unset = UNSET
    """ Why the guard is unavailable or not on every link, for people. """
    links: list[XdpGuardLink] | Unset = UNSET
    """ Per WAN link: the interface and how the program runs there. """
    counters: XdpGuardCounters | Unset = UNSET
    """ The guard's verdicts on datagrams to the listen port, in packets, and bytes of WireGuard
    message (UDP payload). """
    peers: list[XdpGuardPeer] | Unset = UNSET
    """ Per peer, what the guard let through for its sessions since the agent started. """

    def to_dict(self) -> dict[str, Any]:
        state: str = self.state

        warning: None | str | Unset
        if isinstance(self.warning, Unset):
            warning = UNSET
        else:
            warning = self.warning

        links: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.links, Unset):
            links = []
            for links_item_data in self.links:
                links_item = links_item_data.to_dict()
                links.append(links_item)

        counters: dict[str, Any] | Unset = UNSET
        if not isinstance(self.counters, Unset):
            counters = self.counters.to_dict()

        peers: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.peers, Unset):
            peers = []
            for peers_item_data in self.peers:
                peers_item = peers_item_data.to_dict()
                peers.append(peers_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "state": state,
            }
        )
        if warning is not UNSET:
            field_dict["warning"] = warning
        if links is not UNSET:
            field_dict["links"] = links
        if counters is not UNSET:
            field_dict["counters"] = counters
        if peers is not UNSET:
            field_dict["peers"] = peers

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.xdp_guard_counters import XdpGuardCounters
        from ..models.xdp_guard_link import XdpGuardLink
        from ..models.xdp_guard_peer import XdpGuardPeer

        d = dict(src_dict)
        state = check_xdp_guard_state(d.pop("state"))

        def _parse_warning(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        warning = _parse_warning(d.pop("warning", UNSET))

        _links = d.pop("links", UNSET)
        links: list[XdpGuardLink] | Unset = UNSET
        if _links is not UNSET:
            links = []
            for links_item_data in _links:
                links_item = XdpGuardLink.from_dict(links_item_data)

                links.append(links_item)

        _counters = d.pop("counters", UNSET)
        counters: XdpGuardCounters | Unset
        if isinstance(_counters, Unset):
            counters = UNSET
        else:
            counters = XdpGuardCounters.from_dict(_counters)

        _peers = d.pop("peers", UNSET)
        peers: list[XdpGuardPeer] | Unset = UNSET
        if _peers is not UNSET:
            peers = []
            for peers_item_data in _peers:
                peers_item = XdpGuardPeer.from_dict(peers_item_data)

                peers.append(peers_item)

        xdp_guard_status = cls(
            state=state,
            warning=warning,
            links=links,
            counters=counters,
            peers=peers,
        )

        return xdp_guard_status
