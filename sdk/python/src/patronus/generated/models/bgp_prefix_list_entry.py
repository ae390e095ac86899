from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.bgp_action import BgpAction, check_bgp_action
from ..types import UNSET, Unset

T = TypeVar("T", bound="BgpPrefixListEntry")


@_attrs_define
class BgpPrefixListEntry:
    action: BgpAction
    prefix: str
    ge: int | None | Unset = UNSET
    """ Matches prefixes at least this long (more than the prefix's length, at most `le`). """
    le: int | None | Unset = UNSET
    """ Matches prefixes at most this long (more than the prefix's length). """

    def to_dict(self) -> dict[str, Any]:
        action: str = self.action

        prefix = self.prefix

        ge: int | None | Unset
        if isinstance(self.ge, Unset):
            ge = UNSET
        else:
            ge = self.ge

        le: int | None | Unset
        if isinstance(self.le, Unset):
            le = UNSET
        else:
            le = self.le

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "action": action,
                "prefix": prefix,
            }
        )
        if ge is not UNSET:
            field_dict["ge"] = ge
        if le is not UNSET:
            field_dict["le"] = le

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        action = check_bgp_action(d.pop("action"))

        prefix = d.pop("prefix")

        def _parse_ge(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        ge = _parse_ge(d.pop("ge", UNSET))

        def _parse_le(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        le = _parse_le(d.pop("le", UNSET))

        bgp_prefix_list_entry = cls(
            action=action,
            prefix=prefix,
            ge=ge,
            le=le,
        )

        return bgp_prefix_list_entry
