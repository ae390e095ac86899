from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.applications_status import ApplicationsStatus
    from ..models.bgp_status import BgpStatus
    from ..models.control_plane_outage import ControlPlaneOutage
    from ..models.failover_event import FailoverEvent
    from ..models.link_state import LinkState
    from ..models.peer_state import PeerState
    from ..models.policy_status import PolicyStatus
    from ..models.xdp_guard_status import XdpGuardStatus


T = TypeVar("T", bound="AgentStatusReport")


@_attrs_define
class AgentStatusReport:
    """What an agent reports about itself."""

    agent_version: str
    uptime_seconds: int
    applied_revision: int | None | Unset = UNSET
    """ Revision of the document the dataplane runs; absent before the first one is applied. """
    applied_hash: None | str | Unset = UNSET
    """ Content hash of that document. """
    links: list[LinkState] | Unset = UNSET
    peers: list[PeerState] | Unset = UNSET
    last_error: None | str | Unset = UNSET
    """ The last error the agent met (an invalid document, a dataplane failure), if it persists. """
    policies: list[PolicyStatus] | Unset = UNSET
    """ What each policy of the document is doing. """
    failover_events: list[FailoverEvent] | Unset = UNSET
    """ Path changes since the last report the server accepted, oldest first; when more happened,
    the newest are kept. """
    xdp_guard: None | Unset | XdpGuardStatus = UNSET
    control_plane_outages: list[ControlPlaneOutage] | Unset = UNSET
    """ Times the agent could not reach the control plane since the last report the server
    accepted, oldest first (the newest 10 when there were more). The dataplane kept
    forwarding on its last-known-good document meanwhile. """
    bgp: BgpStatus | None | Unset = UNSET
    applications: ApplicationsStatus | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.applications_status import ApplicationsStatus
        from ..models.bgp_status import BgpStatus
        from ..models.xdp_guard_status import XdpGuardStatus

        agent_version = self.agent_version

        uptime_seconds = self.uptime_seconds

        applied_revision: int | None | Unset
        if isinstance(self.applied_revision, Unset):
            applied_revision = UNSET
        else:
            applied_revision = self.applied_revision

        applied_hash: None | str | Unset
        if isinstance(self.applied_hash, Unset):
            applied_hash = UNSET
        else:
            applied_hash = self.applied_hash

        links: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.links, Unset):
            links = []
            for links_item_data in self.links:
                links_item = links_item_data.to_dict()
                links.append(links_item)

        peers: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.peers, Unset):
            peers = []
            for peers_item_data in self.peers:
                peers_item = peers_item_data.to_dict()
                peers.append(peers_item)

        last_error: None | str | Unset
        if isinstance(self.last_error, Unset):
            last_error = UNSET
        else:
            last_error = self.last_error

        policies: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.policies, Unset):
            policies = []
            for policies_item_data in self.policies:
                policies_item = policies_item_data.to_dict()
                policies.append(policies_item)

        failover_events: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.failover_events, Unset):
            failover_events = []
            for failover_events_item_data in self.failover_events:
                failover_events_item = failover_events_item_data.to_dict()
                failover_events.append(failover_events_item)

        xdp_guard: dict[str, Any] | None | Unset
        if isinstance(self.xdp_guard, Unset):
            xdp_guard = UNSET
        elif isinstance(self.xdp_guard, XdpGuardStatus):
            xdp_guard = self.xdp_guard.to_dict()
        else:
            xdp_guard = self.xdp_guard

        control_plane_outages: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.control_plane_outages, Unset):
            control_plane_outages = []
            for control_plane_outages_item_data in self.control_plane_outages:
                control_plane_outages_item = control_plane_outages_item_data.to_dict()
                control_plane_outages.append(control_plane_outages_item)

        bgp: dict[str, Any] | None | Unset
        if isinstance(self.bgp, Unset):
            bgp = UNSET
        elif isinstance(self.bgp, BgpStatus):
            bgp = self.bgp.to_dict()
        else:
            bgp = self.bgp

        applications: dict[str, Any] | None | Unset
        if isinstance(self.applications, Unset):
            applications = UNSET
        elif isinstance(self.applications, ApplicationsStatus):
            applications = self.applications.to_dict()
        else:
            applications = self.applications

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "agent_version": agent_version,
                "uptime_seconds": uptime_seconds,
            }
        )
        if applied_revision is not UNSET:
            field_dict["applied_revision"] = applied_revision
        if applied_hash is not UNSET:
            field_dict["applied_hash"] = applied_hash
        if links is not UNSET:
            field_dict["links"] = links
        if peers is not UNSET:
            field_dict["peers"] = peers
        if last_error is not UNSET:
            field_dict["last_error"] = last_error
        if policies is not UNSET:
            field_dict["policies"] = policies
        if failover_events is not UNSET:
            field_dict["failover_events"] = failover_events
        if xdp_guard is not UNSET:
            field_dict["xdp_guard"] = xdp_guard
        if control_plane_outages is not UNSET:
            field_dict["control_plane_outages"] = control_plane_outages
        if bgp is not UNSET:
            field_dict["bgp"] = bgp
        if applications is not UNSET:
            field_dict["applications"] = applications

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.applications_status import ApplicationsStatus
        from ..models.bgp_status import BgpStatus
        from ..models.control_plane_outage import ControlPlaneOutage
        from ..models.failover_event import FailoverEvent
        from ..models.link_state import LinkState
        from ..models.peer_state import PeerState
        from ..models.policy_status import PolicyStatus
        from ..models.xdp_guard_status import XdpGuardStatus

        d = dict(src_dict)
        agent_version = d.pop("agent_version")

        uptime_seconds = d.pop("uptime_seconds")

        def _parse_applied_revision(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        applied_revision = _parse_applied_revision(d.pop("applied_revision", UNSET))

        def _parse_applied_hash(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        applied_hash = _parse_applied_hash(d.pop("applied_hash", UNSET))

        _links = d.pop("links", UNSET)
        links: list[LinkState] | Unset = UNSET
        if _links is not UNSET:
            links = []
            for links_item_data in _links:
                links_item = LinkState.from_dict(links_item_data)

                links.append(links_item)

        _peers = d.pop("peers", UNSET)
        peers: list[PeerState] | Unset = UNSET
        if _peers is not UNSET:
            peers = []
            for peers_item_data in _peers:
                peers_item = PeerState.from_dict(peers_item_data)

                peers.append(peers_item)

        def _parse_last_error(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        last_error = _parse_last_error(d.pop("last_error", UNSET))

        _policies = d.pop("policies", UNSET)
        policies: list[PolicyStatus] | Unset = UNSET
        if _policies is not UNSET:
            policies = []
            for policies_item_data in _policies:
                policies_item = PolicyStatus.from_dict(policies_item_data)

                policies.append(policies_item)

        _failover_events = d.pop("failover_events", UNSET)
        failover_events: list[FailoverEvent] | Unset = UNSET
        if _failover_events is not UNSET:
            failover_events = []
            for failover_events_item_data in _failover_events:
                failover_events_item = FailoverEvent.from_dict(
                    failover_events_item_data
                )

                failover_events.append(failover_events_item)

        def _parse_xdp_guard(data: object) -> None | Unset | XdpGuardStatus:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                xdp_guard_type_1 = XdpGuardStatus.from_dict(data)

                return xdp_guard_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | XdpGuardStatus, data)

        xdp_guard = _parse_xdp_guard(d.pop("xdp_guard", UNSET))

        _control_plane_outages = d.pop("control_plane_outages", UNSET)
        control_plane_outages: list[ControlPlaneOutage] | Unset = UNSET
        if _control_plane_outages is not UNSET:
            control_plane_outages = []
            for control_plane_outages_item_data in _control_plane_outages:
                control_plane_outages_item = ControlPlaneOutage.from_dict(
                    control_plane_outages_item_data
                )

                control_plane_outages.append(control_plane_outages_item)

        def _parse_bgp(data: object) -> BgpStatus | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                bgp_type_1 = BgpStatus.from_dict(data)

                return bgp_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(BgpStatus | None | Unset, data)

        bgp = _parse_bgp(d.pop("bgp", UNSET))

        def _parse_applications(data: object) -> ApplicationsStatus | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                applications_type_1 = ApplicationsStatus.from_dict(data)

                return applications_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ApplicationsStatus | None | Unset, data)

        applications = _parse_applications(d.pop("applications", UNSET))

        agent_status_report = cls(
            agent_version=agent_version,
            uptime_seconds=uptime_seconds,
            applied_revision=applied_revision,
            applied_hash=applied_hash,
            links=links,
            peers=peers,
            last_error=last_error,
            policies=policies,
            failover_events=failover_events,
            xdp_guard=xdp_guard,
            control_plane_outages=control_plane_outages,
            bgp=bgp,
            applications=applications,
        )

        return agent_status_report
