from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.topology_mode import TopologyMode, check_topology_mode

T = TypeVar("T", bound="Topology")


@_attrs_define
class Topology:
    mode: TopologyMode
    overlay_prefix: str
    persistent_keepalive: int
    revision: int
    """ The tenant's configuration revision: it moves with every change to the network. """
    updated_at: datetime.datetime
    etag: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        mode: str = self.mode

        overlay_prefix = self.overlay_prefix

        persistent_keepalive = self.persistent_keepalive

        revision = self.revision

        updated_at = self.updated_at.isoformat()

        etag = self.etag

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "mode": mode,
                "overlay_prefix": overlay_prefix,
                "persistent_keepalive": persistent_keepalive,
                "revision": revision,
                "updated_at": updated_at,
                "etag": etag,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        mode = check_topology_mode(d.pop("mode"))

        overlay_prefix = d.pop("overlay_prefix")

        persistent_keepalive = d.pop("persistent_keepalive")

        revision = d.pop("revision")

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        etag = d.pop("etag")

        topology = cls(
            mode=mode,
            overlay_prefix=overlay_prefix,
            persistent_keepalive=persistent_keepalive,
            revision=revision,
            updated_at=updated_at,
            etag=etag,
        )

        topology.additional_properties = d
        return topology

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
