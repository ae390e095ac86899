from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.site_health import SiteHealth, check_site_health
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.agent import Agent
    from ..models.agent_status_report import AgentStatusReport
    from ..models.control_plane_outage import ControlPlaneOutage


T = TypeVar("T", bound="SiteStatus")


@_attrs_define
class SiteStatus:
    """A site's health as operators see it."""

    site_id: UUID
    health: SiteHealth
    reason: None | str | Unset = UNSET
    """ Why the site is degraded or offline, for people. """
    desired_hash: None | str | Unset = UNSET
    """ The hash and revision of the site's current document. """
    desired_revision: int | None | Unset = UNSET
    agent: Agent | None | Unset = UNSET
    last_seen_at: datetime.datetime | None | Unset = UNSET
    report: AgentStatusReport | None | Unset = UNSET
    last_control_plane_outage: ControlPlaneOutage | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.agent import Agent
        from ..models.agent_status_report import AgentStatusReport
        from ..models.control_plane_outage import ControlPlaneOutage

        site_id = str(self.site_id)

        health: str = self.health

        reason: None | str | Unset
        if isinstance(self.reason, Unset):
            reason = UNSET
        else:
            reason = self.reason

        desired_hash: None | str | Unset
        if isinstance(self.desired_hash, Unset):
            desired_hash = UNSET
        else:
            desired_hash = self.desired_hash

        desired_revision: int | None | Unset
        if isinstance(self.desired_revision, Unset):
            desired_revision = UNSET
        else:
            desired_revision = self.desired_revision

        agent: dict[str, Any] | None | Unset
        if isinstance(self.agent, Unset):
            agent = UNSET
        elif isinstance(self.agent, Agent):
            agent = self.agent.to_dict()
        else:
            agent = self.agent

        last_seen_at: None | str | Unset
        if isinstance(self.last_seen_at, Unset):
            last_seen_at = UNSET
        elif isinstance(self.last_seen_at, datetime.datetime):
            last_seen_at = self.last_seen_at.isoformat()
        else:
            last_seen_at = self.last_seen_at

        report: dict[str, Any] | None | Unset
        if isinstance(self.report, Unset):
            report = UNSET
        elif isinstance(self.report, AgentStatusReport):
            report = self.report.to_dict()
        else:
            report = self.report

        last_control_plane_outage: dict[str, Any] | None | Unset
        if isinstance(self.last_control_plane_outage, Unset):
            last_control_plane_outage = UNSET
        elif isinstance(self.last_control_plane_outage, ControlPlaneOutage):
            last_control_plane_outage = self.last_control_plane_outage.to_dict()
        else:
            last_control_plane_outage = self.last_control_plane_outage

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "site_id": site_id,
                "health": health,
            }
        )
        if reason is not UNSET:
            field_dict["reason"] = reason
        if desired_hash is not UNSET:
            field_dict["desired_hash"] = desired_hash
        if desired_revision is not UNSET:
            field_dict["desired_revision"] = desired_revision
        if agent is not UNSET:
            field_dict["agent"] = agent
        if last_seen_at is not UNSET:
            field_dict["last_seen_at"] = last_seen_at
        if report is not UNSET:
            field_dict["report"] = report
        if last_control_plane_outage is not UNSET:
            field_dict["last_control_plane_outage"] = last_control_plane_outage

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.agent import Agent
        from ..models.agent_status_report import AgentStatusReport
        from ..models.control_plane_outage import ControlPlaneOutage

        d = dict(src_dict)
        site_id = UUID(d.pop("site_id"))

        health = check_site_health(d.pop("health"))

        def _parse_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        reason = _parse_reason(d.pop("reason", UNSET))

        def _parse_desired_hash(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        desired_hash = _parse_desired_hash(d.pop("desired_hash", UNSET))

        def _parse_desired_revision(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        desired_revision = _parse_desired_revision(d.pop("desired_revision", UNSET))

        def _parse_agent(data: object) -> Agent | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                agent_type_1 = Agent.from_dict(data)

                return agent_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Agent | None | Unset, data)

        agent = _parse_agent(d.pop("agent", UNSET))

        def _parse_last_seen_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                last_seen_at_type_0 = datetime.datetime.fromisoformat(data)

                return last_seen_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        last_seen_at = _parse_last_seen_at(d.pop("last_seen_at", UNSET))

        def _parse_report(data: object) -> AgentStatusReport | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                report_type_1 = AgentStatusReport.from_dict(data)

                return report_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AgentStatusReport | None | Unset, data)

        report = _parse_report(d.pop("report", UNSET))

        def _parse_last_control_plane_outage(
            data: object,
        ) -> ControlPlaneOutage | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                last_control_plane_outage_type_1 = ControlPlaneOutage.from_dict(data)

                return last_control_plane_outage_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ControlPlaneOutage | None | Unset, data)

        last_control_plane_outage = _parse_last_control_plane_outage(
            d.pop("last_control_plane_outage", UNSET)
        )

        site_status = cls(
            site_id=site_id,
            health=health,
            reason=reason,
            desired_hash=desired_hash,
            desired_revision=desired_revision,
            agent=agent,
            last_seen_at=last_seen_at,
            report=report,
            last_control_plane_outage=last_control_plane_outage,
        )

        site_status.additional_properties = d
        return site_status

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
