from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.config_endpoint import ConfigEndpoint


T = TypeVar("T", bound="ConfigPeer")


@_attrs_define
class ConfigPeer:
    site_id: UUID
    site_name: str
    public_key: str
    """ WireGuard public key (base64) of the peer's agent. """
    allowed_ips: list[str]
    """ The peer's overlay address (/32) and LAN prefixes, sorted. """
    endpoints: list[ConfigEndpoint]
    """ Where the peer can be reached, one per link with a public endpoint, by link priority. """
    persistent_keepalive: int
    """ Seconds between keepalives, 0 for none. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        site_id = str(self.site_id)

        site_name = self.site_name

        public_key = self.public_key

        allowed_ips = self.allowed_ips

        endpoints = []
        for endpoints_item_data in self.endpoints:
            endpoints_item = endpoints_item_data.to_dict()
            endpoints.append(endpoints_item)

        persistent_keepalive = self.persistent_keepalive

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "site_id": site_id,
                "site_name": site_name,
                "public_key": public_key,
                "allowed_ips": allowed_ips,
                "endpoints": endpoints,
                "persistent_keepalive": persistent_keepalive,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.config_endpoint import ConfigEndpoint

        d = dict(src_dict)
        site_id = UUID(d.pop("site_id"))

        site_name = d.pop("site_name")

        public_key = d.pop("public_key")

        allowed_ips = cast(list[str], d.pop("allowed_ips"))

        endpoints = []
        _endpoints = d.pop("endpoints")
        for endpoints_item_data in _endpoints:
            endpoints_item = ConfigEndpoint.from_dict(endpoints_item_data)

            endpoints.append(endpoints_item)

        persistent_keepalive = d.pop("persistent_keepalive")

        config_peer = cls(
            site_id=site_id,
            site_name=site_name,
            public_key=public_key,
            allowed_ips=allowed_ips,
            endpoints=endpoints,
            persistent_keepalive=persistent_keepalive,
        )

        config_peer.additional_properties = d
        return config_peer

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
