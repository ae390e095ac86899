from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="NewQosClass")


@_attrs_define
class NewQosClass:
    name: str
    priority: int
    """ 1 (served first) to 8. """
    dscp: int
    """ DSCP value 0..63 that marks this class's packets. """
    guaranteed_percent: int
    """ Share of a link's bandwidth this class is guaranteed, in percent. The guaranteed shares of
    all classes add up to at most 100. """
    max_percent: int | Unset = UNSET
    """ Share of a link's bandwidth this class may use at most, in percent (default 100); not
    below `guaranteed_percent`. """

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        priority = self.priority

        dscp = self.dscp

        guaranteed_percent = self.guaranteed_percent

        max_percent = self.max_percent

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "priority": priority,
                "dscp": dscp,
                "guaranteed_percent": guaranteed_percent,
            }
        )
        if max_percent is not UNSET:
            field_dict["max_percent"] = max_percent

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        name = d.pop("name")

        priority = d.pop("priority")

        dscp = d.pop("dscp")

        guaranteed_percent = d.pop("guaranteed_percent")

        max_percent = d.pop("max_percent", UNSET)

        new_qos_class = cls(
            name=name,
            priority=priority,
            dscp=dscp,
            guaranteed_percent=guaranteed_percent,
            max_percent=max_percent,
        )

        return new_qos_class
