from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="LoginMethods")


@_attrs_define
class LoginMethods:
    """How people of a tenant can sign in (asked before signing in, by the tenant's slug)."""

    sso: bool
    """ Whether the tenant has an identity provider; `sso_login_url` starts its login. """
    sso_login_url: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        sso = self.sso

        sso_login_url: None | str | Unset
        if isinstance(self.sso_login_url, Unset):
            sso_login_url = UNSET
        else:
            sso_login_url = self.sso_login_url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "sso": sso,
            }
        )
        if sso_login_url is not UNSET:
            field_dict["sso_login_url"] = sso_login_url

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        sso = d.pop("sso")

        def _parse_sso_login_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        sso_login_url = _parse_sso_login_url(d.pop("sso_login_url", UNSET))

        login_methods = cls(
            sso=sso,
            sso_login_url=sso_login_url,
        )

        login_methods.additional_properties = d
        return login_methods

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
