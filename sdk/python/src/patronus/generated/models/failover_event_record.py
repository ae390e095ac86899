from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.failover_reason import FailoverReason, check_failover_reason
from ..types import UNSET, Unset

T = TypeVar("T", bound="FailoverEventRecord")


@_attrs_define
class FailoverEventRecord:
    """A path change an agent reported, as the server keeps it."""

    id: UUID
    site_id: UUID
    peer_site_id: UUID
    reason: FailoverReason
    at: datetime.datetime
    """ When the agent saw it. """
    policy: None | str | Unset = UNSET
    from_link: None | str | Unset = UNSET
    to_link: None | str | Unset = UNSET
    from_endpoint: None | str | Unset = UNSET
    to_endpoint: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        site_id = str(self.site_id)

        peer_site_id = str(self.peer_site_id)

        reason: str = self.reason

        at = self.at.isoformat()

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
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "site_id": site_id,
                "peer_site_id": peer_site_id,
                "reason": reason,
                "at": at,
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
        id = UUID(d.pop("id"))

        site_id = UUID(d.pop("site_id"))

        peer_site_id = UUID(d.pop("peer_site_id"))

        reason = check_failover_reason(d.pop("reason"))

        at = datetime.datetime.fromisoformat(d.pop("at"))

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

        failover_event_record = cls(
            id=id,
            site_id=site_id,
            peer_site_id=peer_site_id,
            reason=reason,
            at=at,
            policy=policy,
            from_link=from_link,
            to_link=to_link,
            from_endpoint=from_endpoint,
            to_endpoint=to_endpoint,
        )

        failover_event_record.additional_properties = d
        return failover_event_record

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
