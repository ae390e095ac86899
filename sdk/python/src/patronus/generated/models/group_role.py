from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.role import Role, check_role

T = TypeVar("T", bound="GroupRole")


@_attrs_define
class GroupRole:
    """One group (a value of the role claim) and the role its members get."""

    group: str
    role: Role
    """ A role inside a tenant. `viewer` reads; `operator` also writes network configuration;
    `admin` also manages users and API tokens. """

    def to_dict(self) -> dict[str, Any]:
        group = self.group

        role: str = self.role

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "group": group,
                "role": role,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        group = d.pop("group")

        role = check_role(d.pop("role"))

        group_role = cls(
            group=group,
            role=role,
        )

        return group_role
