from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.policy_action import PolicyAction
    from ..models.policy_match import PolicyMatch
    from ..models.policy_site_selector import PolicySiteSelector


T = TypeVar("T", bound="Policy")


@_attrs_define
class Policy:
    id: UUID
    name: str
    priority: int
    match: PolicyMatch
    """ Which traffic a policy applies to. Every given criterion must match; absent ones match all. """
    action: PolicyAction
    site_selector: PolicySiteSelector
    created_at: datetime.datetime
    updated_at: datetime.datetime
    etag: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        name = self.name

        priority = self.priority

        match = self.match.to_dict()

        action = self.action.to_dict()

        site_selector = self.site_selector.to_dict()

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        etag = self.etag

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "priority": priority,
                "match": match,
                "action": action,
                "site_selector": site_selector,
                "created_at": created_at,
                "updated_at": updated_at,
                "etag": etag,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.policy_action import PolicyAction
        from ..models.policy_match import PolicyMatch
        from ..models.policy_site_selector import PolicySiteSelector

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        name = d.pop("name")

        priority = d.pop("priority")

        match = PolicyMatch.from_dict(d.pop("match"))

        action = PolicyAction.from_dict(d.pop("action"))

        site_selector = PolicySiteSelector.from_dict(d.pop("site_selector"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        etag = d.pop("etag")

        policy = cls(
            id=id,
            name=name,
            priority=priority,
            match=match,
            action=action,
            site_selector=site_selector,
            created_at=created_at,
            updated_at=updated_at,
            etag=etag,
        )

        policy.additional_properties = d
        return policy

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
