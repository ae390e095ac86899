from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.new_policy_site_selector import NewPolicySiteSelector
    from ..models.policy_action import PolicyAction
    from ..models.policy_match import PolicyMatch


T = TypeVar("T", bound="NewPolicy")


@_attrs_define
class NewPolicy:
    name: str
    priority: int
    """ Evaluation order, unique in the tenant: lower first. """
    match: PolicyMatch
    """ Which traffic a policy applies to. Every given criterion must match; absent ones match all. """
    action: PolicyAction
    site_selector: NewPolicySiteSelector | Unset = UNSET
    """ Labels: at most 64, keys of 1 to 63 characters of `a-z A-Z 0-9 . _ - /`, values of at most 255 characters
    without control characters. """

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        priority = self.priority

        match = self.match.to_dict()

        action = self.action.to_dict()

        site_selector: dict[str, Any] | Unset = UNSET
        if not isinstance(self.site_selector, Unset):
            site_selector = self.site_selector.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "priority": priority,
                "match": match,
                "action": action,
            }
        )
        if site_selector is not UNSET:
            field_dict["site_selector"] = site_selector

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.new_policy_site_selector import NewPolicySiteSelector
        from ..models.policy_action import PolicyAction
        from ..models.policy_match import PolicyMatch

        d = dict(src_dict)
        name = d.pop("name")

        priority = d.pop("priority")

        match = PolicyMatch.from_dict(d.pop("match"))

        action = PolicyAction.from_dict(d.pop("action"))

        _site_selector = d.pop("site_selector", UNSET)
        site_selector: NewPolicySiteSelector | Unset
        if isinstance(_site_selector, Unset):
            site_selector = UNSET
        else:
            site_selector = NewPolicySiteSelector.from_dict(_site_selector)

        new_policy = cls(
            name=name,
            priority=priority,
            match=match,
            action=action,
            site_selector=site_selector,
        )

        return new_policy
