from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.failover_event_record import FailoverEventRecord
    from ..models.fleet_health_counts import FleetHealthCounts
    from ..models.fleet_site import FleetSite
    from ..models.fleet_status_site_names import FleetStatusSiteNames


T = TypeVar("T", bound="FleetStatus")


@_attrs_define
class FleetStatus:
    """The tenant's fleet at a glance (`GET /v1/fleet/status`): how many sites are in each health,
    the sites that need attention, and the newest path changes, in one answer whose `ETag` changes
    only when one of them does, for dashboards that poll with `If-None-Match`.

    """

    sites: int
    """ Every site of the tenant. """
    health: FleetHealthCounts
    """ How many sites are in each health. """
    attention: list[FleetSite]
    """ The sites that are not online, worst first (offline, degraded, unenrolled), then by name;
    at most 100 (the counts say how many there are). """
    recent_failovers: list[FailoverEventRecord]
    """ The newest path changes agents reported (at most 20), newest first. """
    site_names: FleetStatusSiteNames
    """ The names of the sites `recent_failovers` mentions (as site or peer), by id. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        sites = self.sites

        health = self.health.to_dict()

        attention = []
        for attention_item_data in self.attention:
            attention_item = attention_item_data.to_dict()
            attention.append(attention_item)

        recent_failovers = []
        for recent_failovers_item_data in self.recent_failovers:
            recent_failovers_item = recent_failovers_item_data.to_dict()
            recent_failovers.append(recent_failovers_item)

        site_names = self.site_names.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "sites": sites,
                "health": health,
                "attention": attention,
                "recent_failovers": recent_failovers,
                "site_names": site_names,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.failover_event_record import FailoverEventRecord
        from ..models.fleet_health_counts import FleetHealthCounts
        from ..models.fleet_site import FleetSite
        from ..models.fleet_status_site_names import FleetStatusSiteNames

        d = dict(src_dict)
        sites = d.pop("sites")

        health = FleetHealthCounts.from_dict(d.pop("health"))

        attention = []
        _attention = d.pop("attention")
        for attention_item_data in _attention:
            attention_item = FleetSite.from_dict(attention_item_data)

            attention.append(attention_item)

        recent_failovers = []
        _recent_failovers = d.pop("recent_failovers")
        for recent_failovers_item_data in _recent_failovers:
            recent_failovers_item = FailoverEventRecord.from_dict(
                recent_failovers_item_data
            )

            recent_failovers.append(recent_failovers_item)

        site_names = FleetStatusSiteNames.from_dict(d.pop("site_names"))

        fleet_status = cls(
            sites=sites,
            health=health,
            attention=attention,
            recent_failovers=recent_failovers,
            site_names=site_names,
        )

        fleet_status.additional_properties = d
        return fleet_status

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
