from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.role import Role, check_role
from ..models.session_method import SessionMethod, check_session_method

T = TypeVar("T", bound="BrowserSession")


@_attrs_define
class BrowserSession:
    """The browser session of the request's cookie."""

    tenant_id: UUID
    user_id: UUID
    email: str
    role: Role
    """ A role inside a tenant. `viewer` reads; `operator` also writes network configuration;
    `admin` also manages users and API tokens. """
    method: SessionMethod
    """ How a browser session began. """
    csrf_token: str
    """ Send it as `X-CSRF-Token` with every request that changes something. """
    expires_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        tenant_id = str(self.tenant_id)

        user_id = str(self.user_id)

        email = self.email

        role: str = self.role

        method: str = self.method

        csrf_token = self.csrf_token

        expires_at = self.expires_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "tenant_id": tenant_id,
                "user_id": user_id,
                "email": email,
                "role": role,
                "method": method,
                "csrf_token": csrf_token,
                "expires_at": expires_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        tenant_id = UUID(d.pop("tenant_id"))

        user_id = UUID(d.pop("user_id"))

        email = d.pop("email")

        role = check_role(d.pop("role"))

        method = check_session_method(d.pop("method"))

        csrf_token = d.pop("csrf_token")

        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))

        browser_session = cls(
            tenant_id=tenant_id,
            user_id=user_id,
            email=email,
            role=role,
            method=method,
            csrf_token=csrf_token,
            expires_at=expires_at,
        )

        browser_session.additional_properties = d
        return browser_session

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
