from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.link_kind import LinkKind, check_link_kind
from ..types import UNSET, Unset

T = TypeVar("T", bound="SiteLink")


@_attrs_define
class SiteLink:
    """A WAN link as part of a site's body (`NewSite.links`, `SiteUpdate.links`): a link without
    its `site_id`, which is the site's.

    """

    name: str
    """ Unique within the site, e.g. `fiber`, `lte`. """
    interface: str
    """ Interface name on the site's machine, e.g. `eth1`: 1 to 15 printable ASCII characters but
    `/` and `:`, not `.` or `..`. """
    bandwidth_up_mbps: int
    bandwidth_down_mbps: int
    kind: LinkKind | Unset = UNSET
    endpoint: None | str | Unset = UNSET
    """ Public `host:port` where peers reach this link; absent when behind NAT. """
    cost: int | Unset = UNSET
    """ Relative cost of sending over this link (for lowest-cost path selection). """
    priority: int | Unset = UNSET
    """ 1 is preferred most; paths over links with a lower number are chosen first. """

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        interface = self.interface

        bandwidth_up_mbps = self.bandwidth_up_mbps

        bandwidth_down_mbps = self.bandwidth_down_mbps

        kind: str | Unset = UNSET
        if not isinstance(self.kind, Unset):
            kind = self.kind

        endpoint: None | str | Unset
        if isinstance(self.endpoint, Unset):
            endpoint = UNSET
        else:
            endpoint = self.endpoint

        cost = self.cost

        priority = self.priority

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "interface": interface,
                "bandwidth_up_mbps": bandwidth_up_mbps,
                "bandwidth_down_mbps": bandwidth_down_mbps,
            }
        )
        if kind is not UNSET:
            field_dict["kind"] = kind
        if endpoint is not UNSET:
            field_dict["endpoint"] = endpoint
        if cost is not UNSET:
            field_dict["cost"] = cost
        if priority is not UNSET:
            field_dict["priority"] = priority

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        name = d.pop("name")

        interface = d.pop("interface")

        bandwidth_up_mbps = d.pop("bandwidth_up_mbps")

        bandwidth_down_mbps = d.pop("bandwidth_down_mbps")

        _kind = d.pop("kind", UNSET)
        kind: LinkKind | Unset
        if isinstance(_kind, Unset):
            kind = UNSET
        else:
            kind = check_link_kind(_kind)

        def _parse_endpoint(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        endpoint = _parse_endpoint(d.pop("endpoint", UNSET))

        cost = d.pop("cost", UNSET)

        priority = d.pop("priority", UNSET)

        site_link = cls(
            name=name,
            interface=interface,
            bandwidth_up_mbps=bandwidth_up_mbps,
            bandwidth_down_mbps=bandwidth_down_mbps,
            kind=kind,
            endpoint=endpoint,
            cost=cost,
            priority=priority,
        )

        return site_link
