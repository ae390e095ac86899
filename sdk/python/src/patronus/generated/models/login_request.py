from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="LoginRequest")


@_attrs_define
class LoginRequest:
    tenant: str
    """ The tenant's slug. """
    email: str
    password: str

    def to_dict(self) -> dict[str, Any]:
        tenant = self.tenant

        email = self.email

        password = self.password

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "tenant": tenant,
                "email": email,
                "password": password,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        tenant = d.pop("tenant")

        email = d.pop("email")

        password = d.pop("password")

        login_request = cls(
            tenant=tenant,
            email=email,
            password=password,
        )

        return login_request
