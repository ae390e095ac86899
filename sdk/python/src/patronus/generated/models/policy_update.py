from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.policy_action import PolicyAction
    from ..models.policy_match import PolicyMatch
    from ..models.policy_update_site_selector_type_0 import (
        PolicyUpdateSiteSelectorType0,
    )


T = TypeVar("T", bound="PolicyUpdate")


@_attrs_define
class PolicyUpdate:
    name: None | str | Unset = UNSET
    priority: int | None | Unset = UNSET
    match: None | PolicyMatch | Unset = UNSET
    action: None | PolicyAction | Unset = UNSET
    site_selector: None | PolicyUpdateSiteSelectorType0 | Unset = UNSET
    """ Labels: at most 64, keys of 1 to 63 characters of `a-z A-Z 0-9 . _ - /`, values of at most 255 characters
    without control characters. """

    def to_dict(self) -> dict[str, Any]:
        from ..models.policy_action import PolicyAction
        from ..models.policy_match import PolicyMatch
        from ..models.policy_update_site_selector_type_0 import (
            PolicyUpdateSiteSelectorType0,
        )

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        priority: int | None | Unset
        if isinstance(self.priority, Unset):
            priority = UNSET
        else:
            priority = self.priority

        match: dict[str, Any] | None | Unset
        if isinstance(self.match, Unset):
            match = UNSET
        elif isinstance(self.match, PolicyMatch):
            match = self.match.to_dict()
        else:
            match = self.match

        action: dict[str, Any] | None | Unset
        if isinstance(self.action, Unset):
            action = UNSET
        elif isinstance(self.action, PolicyAction):
            action = self.action.to_dict()
        else:
            action = self.action

        site_selector: dict[str, Any] | None | Unset
        if isinstance(self.site_selector, Unset):
            site_selector = UNSET
        elif isinstance(self.site_selector, PolicyUpdateSiteSelectorType0):
            site_selector = self.site_selector.to_dict()
        else:
            site_selector = self.site_selector

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if name is not UNSET:
            field_dict["name"] = name
        if priority is not UNSET:
            field_dict["priority"] = priority
        if match is not UNSET:
            field_dict["match"] = match
        if action is not UNSET:
            field_dict["action"] = action
        if site_selector is not UNSET:
            field_dict["site_selector"] = site_selector

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.policy_action import PolicyAction
        from ..models.policy_match import PolicyMatch
        from ..models.policy_update_site_selector_type_0 import (
            PolicyUpdateSiteSelectorType0,
        )

        d = dict(src_dict)

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        def _parse_priority(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        priority = _parse_priority(d.pop("priority", UNSET))

        def _parse_match(data: object) -> None | PolicyMatch | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                match_type_1 = PolicyMatch.from_dict(data)

                return match_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PolicyMatch | Unset, data)

        match = _parse_match(d.pop("match", UNSET))

        def _parse_action(data: object) -> None | PolicyAction | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                action_type_1 = PolicyAction.from_dict(data)

                return action_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PolicyAction | Unset, data)

        action = _parse_action(d.pop("action", UNSET))

        def _parse_site_selector(
            data: object,
        ) -> None | PolicyUpdateSiteSelectorType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                site_selector_type_0 = PolicyUpdateSiteSelectorType0.from_dict(data)

                return site_selector_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PolicyUpdateSiteSelectorType0 | Unset, data)

        site_selector = _parse_site_selector(d.pop("site_selector", UNSET))

        policy_update = cls(
            name=name,
            priority=priority,
            match=match,
            action=action,
            site_selector=site_selector,
        )

        return policy_update
