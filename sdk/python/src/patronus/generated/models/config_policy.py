from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.policy_action import PolicyAction
    from ..models.policy_match import PolicyMatch


T = TypeVar("T", bound="ConfigPolicy")


@_attrs_define
class ConfigPolicy:
    name: str
    priority: int
    match: PolicyMatch
    """ Which traffic a policy applies to. Every given criterion must match; absent ones match all. """
    action: PolicyAction
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        priority = self.priority

        match = self.match.to_dict()

        action = self.action.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "priority": priority,
                "match": match,
                "action": action,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.policy_action import PolicyAction
        from ..models.policy_match import PolicyMatch

        d = dict(src_dict)
        name = d.pop("name")

        priority = d.pop("priority")

        match = PolicyMatch.from_dict(d.pop("match"))

        action = PolicyAction.from_dict(d.pop("action"))

        config_policy = cls(
            name=name,
            priority=priority,
            match=match,
            action=action,
        )

        config_policy.additional_properties = d
        return config_policy

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
