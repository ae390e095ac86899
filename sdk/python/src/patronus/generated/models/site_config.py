from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.site_role import SiteRole, check_site_role
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.application import Application
    from ..models.config_bgp import ConfigBgp
    from ..models.config_link import ConfigLink
    from ..models.config_peer import ConfigPeer
    from ..models.config_policy import ConfigPolicy
    from ..models.config_qos_class import ConfigQosClass


T = TypeVar("T", bound="SiteConfig")


@_attrs_define
class SiteConfig:
    schema_version: int
    revision: int
    """ The tenant revision at which this document last changed. """
    site_id: UUID
    site_name: str
    role: SiteRole
    """ `hub` sites relay for spokes in a hub-and-spoke topology; `edge` sites are everything else. """
    overlay_address: str
    """ The site's overlay address with the overlay prefix length, e.g. `100.64.0.7/16`. """
    listen_port: int
    lan_prefixes: list[str]
    links: list[ConfigLink]
    peers: list[ConfigPeer]
    """ Sorted by site id. """
    qos_classes: list[ConfigQosClass]
    """ Sorted by priority, then name. """
    policies: list[ConfigPolicy]
    """ Sorted by priority. """
    bgp: ConfigBgp | None | Unset = UNSET
    applications: list[Application] | Unset = UNSET
    """ All of the tenant's own applications (`/v1/applications`), sorted by name, for the agent
    to recognise beside the built-in catalogue (a tenant's definition first where both name a
    flow); absent when the tenant has none, so such a document is what it was before. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.config_bgp import ConfigBgp

        schema_version = self.schema_version

        revision = self.revision

        site_id = str(self.site_id)

        site_name = self.site_name

        role: str = self.role

        overlay_address = self.overlay_address

        listen_port = self.listen_port

        lan_prefixes = self.lan_prefixes

        links = []
        for links_item_data in self.links:
            links_item = links_item_data.to_dict()
            links.append(links_item)

        peers = []
        for peers_item_data in self.peers:
            peers_item = peers_item_data.to_dict()
            peers.append(peers_item)

        qos_classes = []
        for qos_classes_item_data in self.qos_classes:
            qos_classes_item = qos_classes_item_data.to_dict()
            qos_classes.append(qos_classes_item)

        policies = []
        for policies_item_data in self.policies:
            policies_item = policies_item_data.to_dict()
            policies.append(policies_item)

        bgp: dict[str, Any] | None | Unset
        if isinstance(self.bgp, Unset):
            bgp = UNSET
        elif isinstance(self.bgp, ConfigBgp):
            bgp = self.bgp.to_dict()
        else:
            bgp = self.bgp

        applications: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.applications, Unset):
            applications = []
            for applications_item_data in self.applications:
                applications_item = applications_item_data.to_dict()
                applications.append(applications_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "schema_version": schema_version,
                "revision": revision,
                "site_id": site_id,
                "site_name": site_name,
                "role": role,
                "overlay_address": overlay_address,
                "listen_port": listen_port,
                "lan_prefixes": lan_prefixes,
                "links": links,
                "peers": peers,
                "qos_classes": qos_classes,
                "policies": policies,
            }
        )
        if bgp is not UNSET:
            field_dict["bgp"] = bgp
        if applications is not UNSET:
            field_dict["applications"] = applications

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.application import Application
        from ..models.config_bgp import ConfigBgp
        from ..models.config_link import ConfigLink
        from ..models.config_peer import ConfigPeer
        from ..models.config_policy import ConfigPolicy
        from ..models.config_qos_class import ConfigQosClass

        d = dict(src_dict)
        schema_version = d.pop("schema_version")

        revision = d.pop("revision")

        site_id = UUID(d.pop("site_id"))

        site_name = d.pop("site_name")

        role = check_site_role(d.pop("role"))

        overlay_address = d.pop("overlay_address")

        listen_port = d.pop("listen_port")

        lan_prefixes = cast(list[str], d.pop("lan_prefixes"))

        links = []
        _links = d.pop("links")
        for links_item_data in _links:
            links_item = ConfigLink.from_dict(links_item_data)

            links.append(links_item)

        peers = []
        _peers = d.pop("peers")
        for peers_item_data in _peers:
            peers_item = ConfigPeer.from_dict(peers_item_data)

            peers.append(peers_item)

        qos_classes = []
        _qos_classes = d.pop("qos_classes")
        for qos_classes_item_data in _qos_classes:
            qos_classes_item = ConfigQosClass.from_dict(qos_classes_item_data)

            qos_classes.append(qos_classes_item)

        policies = []
        _policies = d.pop("policies")
        for policies_item_data in _policies:
            policies_item = ConfigPolicy.from_dict(policies_item_data)

            policies.append(policies_item)

        def _parse_bgp(data: object) -> ConfigBgp | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                bgp_type_1 = ConfigBgp.from_dict(data)

                return bgp_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ConfigBgp | None | Unset, data)

        bgp = _parse_bgp(d.pop("bgp", UNSET))

        _applications = d.pop("applications", UNSET)
        applications: list[Application] | Unset = UNSET
        if _applications is not UNSET:
            applications = []
            for applications_item_data in _applications:
                applications_item = Application.from_dict(applications_item_data)

                applications.append(applications_item)

        site_config = cls(
            schema_version=schema_version,
            revision=revision,
            site_id=site_id,
            site_name=site_name,
            role=role,
            overlay_address=overlay_address,
            listen_port=listen_port,
            lan_prefixes=lan_prefixes,
            links=links,
            peers=peers,
            qos_classes=qos_classes,
            policies=policies,
            bgp=bgp,
            applications=applications,
        )

        site_config.additional_properties = d
        return site_config

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
