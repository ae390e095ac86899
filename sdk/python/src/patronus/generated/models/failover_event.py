from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define

from ..models.failover_reason import FailoverReason, check_failover_reason
from ..types import UNSET, Unset

T = TypeVar("T", bound="FailoverEvent")


@_attrs_define
class FailoverEvent:
    """Traffic to a peer moved from one path to another."""

    at: datetime.datetime
    peer_site_id: UUID
    reason: FailoverReason
    policy: None | str | Unset = UNSET
    """ The policy whose traffic moved; absent for traffic that matches no policy. """
    from_link: None | str | Unset = UNSET
    """ The local link of the path traffic left; absent when no path was up. """
    to_link: None | str | Unset = UNSET
    """ The local link of the path traffic took; absent when no path is up. """
    from_endpoint: None | str | Unset = UNSET
    """ The peer's `host:port` of the path traffic left (a link has a path to each of the peer's
    endpoints). """
    to_endpoint: None | str | Unset = UNSET
    """ The peer's `host:port` of the path traffic took. """

    def to_dict(self) -> dict[str, Any]:
        at = self.at.isoformat()

        peer_site_id = str(self.peer_site_id)

        reason: str = self.reason

        policy: None | str | Unset
        if isinstance(self.policy, Unset):
            policy = UNSET
        else:
            policy = self.policy

        from_link: None | str | Unset
        if isinstance(self.from_link, Unset):
            from_link = UNSET
        else:
            from_link = self.from_link

        to_link: None | str | Unset
        if isinstance(self.to_link, Unset):
            to_link = UNSET
        else:
            to_link = self.to_link

        from_endpoint: None | str | Unset
        if isinstance(self.from_endpoint, Unset):
            from_endpoint = UNSET
        else:
            from_endpoint = self.from_endpoint

        to_endpoint: None | str | Unset
        if isinstance(self.to_endpoint, Unset):
            to_endpoint = UNSET
        else:
            to_endpoint = self.to_endpoint

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "at": at,
                "peer_site_id": peer_site_id,
                "reason": reason,
            }
        )
        if policy is not UNSET:
            field_dict["policy"] = policy
        if from_link is not UNSET:
            field_dict["from_link"] = from_link
        if to_link is not UNSET:
            field_dict["to_link"] = to_link
        if from_endpoint is not UNSET:
            field_dict["from_endpoint"] = from_endpoint
        if to_endpoint is not UNSET:
            field_dict["to_endpoint"] = to_endpoint

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        at = datetime.datetime.fromisoformat(d.pop("at"))

        peer_site_id = UUID(d.pop("peer_site_id"))

        reason = check_failover_reason(d.pop("reason"))

        def _parse_policy(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        policy = _parse_policy(d.pop("policy", UNSET))

        def _parse_from_link(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        from_link = _parse_from_link(d.pop("from_link", UNSET))

        def _parse_to_link(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        to_link = _parse_to_link(d.pop("to_link", UNSET))

        def _parse_from_endpoint(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        from_endpoint = _parse_from_endpoint(d.pop("from_endpoint", UNSET))

        def _parse_to_endpoint(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        to_endpoint = _parse_to_endpoint(d.pop("to_endpoint", UNSET))

        failover_event = cls(
            at=at,
            peer_site_id=peer_site_id,
            reason=reason,
            policy=policy,
            from_link=from_link,
            to_link=to_link,
            from_endpoint=from_endpoint,
            to_endpoint=to_endpoint,
        )

        return failover_event
