from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="PolicyPeerStatus")


@_attrs_define
class PolicyPeerStatus:
    """Where one policy's traffic to one peer goes."""

    site_id: UUID
    active_link: None | str | Unset = UNSET
    """ The local link of the path that carries the policy's new flows; absent when no path is up. """
    duplicate_link: None | str | Unset = UNSET
    """ For `duplicate`: the local link of the path that carries the copies. """
    sla_violated: bool | Unset = UNSET
    """ No path that is up meets the policy's SLA; traffic uses the best one that is up. """
    switches: int | Unset = UNSET
    """ How often the policy's traffic to this peer moved to another path. """

    def to_dict(self) -> dict[str, Any]:
        site_id = str(self.site_id)

        active_link: None | str | Unset
        if isinstance(self.active_link, Unset):
            active_link = UNSET
        else:
            active_link = self.active_link

        duplicate_link: None | str | Unset
        if isinstance(self.duplicate_link, Unset):
            duplicate_link = UNSET
        else:
            duplicate_link = self.duplicate_link

        sla_violated = self.sla_violated

        switches = self.switches

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "site_id": site_id,
            }
        )
        if active_link is not UNSET:
            field_dict["active_link"] = active_link
        if duplicate_link is not UNSET:
            field_dict["duplicate_link"] = duplicate_link
        if sla_violated is not UNSET:
            field_dict["sla_violated"] = sla_violated
        if switches is not UNSET:
            field_dict["switches"] = switches

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        site_id = UUID(d.pop("site_id"))

        def _parse_active_link(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        active_link = _parse_active_link(d.pop("active_link", UNSET))

        def _parse_duplicate_link(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        duplicate_link = _parse_duplicate_link(d.pop("duplicate_link", UNSET))

        sla_violated = d.pop("sla_violated", UNSET)

        switches = d.pop("switches", UNSET)

        policy_peer_status = cls(
            site_id=site_id,
            active_link=active_link,
            duplicate_link=duplicate_link,
            sla_violated=sla_violated,
            switches=switches,
        )

        return policy_peer_status
