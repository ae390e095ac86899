from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="Quotas")


@_attrs_define
class Quotas:
    """Limits on what a tenant may create."""

    max_users: int
    max_api_tokens: int
    max_sites: int | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        max_users = self.max_users

        max_api_tokens = self.max_api_tokens

        max_sites = self.max_sites

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "max_users": max_users,
                "max_api_tokens": max_api_tokens,
            }
        )
        if max_sites is not UNSET:
            field_dict["max_sites"] = max_sites

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        max_users = d.pop("max_users")

        max_api_tokens = d.pop("max_api_tokens")

        max_sites = d.pop("max_sites", UNSET)

        quotas = cls(
            max_users=max_users,
            max_api_tokens=max_api_tokens,
            max_sites=max_sites,
        )

        return quotas
