from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="QuotasUpdate")


@_attrs_define
class QuotasUpdate:
    """Partial quota change: absent fields keep their value."""

    max_users: int | None | Unset = UNSET
    max_api_tokens: int | None | Unset = UNSET
    max_sites: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        max_users: int | None | Unset
        if isinstance(self.max_users, Unset):
            max_users = UNSET
        else:
            max_users = self.max_users

        max_api_tokens: int | None | Unset
        if isinstance(self.max_api_tokens, Unset):
            max_api_tokens = UNSET
        else:
            max_api_tokens = self.max_api_tokens

        max_sites: int | None | Unset
        if isinstance(self.max_sites, Unset):
            max_sites = UNSET
        else:
            max_sites = self.max_sites

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if max_users is not UNSET:
            field_dict["max_users"] = max_users
        if max_api_tokens is not UNSET:
            field_dict["max_api_tokens"] = max_api_tokens
        if max_sites is not UNSET:
            field_dict["max_sites"] = max_sites

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_max_users(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_users = _parse_max_users(d.pop("max_users", UNSET))

        def _parse_max_api_tokens(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_api_tokens = _parse_max_api_tokens(d.pop("max_api_tokens", UNSET))

        def _parse_max_sites(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_sites = _parse_max_sites(d.pop("max_sites", UNSET))

        quotas_update = cls(
            max_users=max_users,
            max_api_tokens=max_api_tokens,
            max_sites=max_sites,
        )

        return quotas_update
