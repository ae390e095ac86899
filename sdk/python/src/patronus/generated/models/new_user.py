from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.role import Role, check_role
from ..types import UNSET, Unset

T = TypeVar("T", bound="NewUser")


@_attrs_define
class NewUser:
    email: str
    """ Unique in the tenant; stored lowercased, without surrounding white space. """
    display_name: str
    role: Role
    """ A role inside a tenant. `viewer` reads; `operator` also writes network configuration;
    `admin` also manages users and API tokens. """
    password: None | str | Unset = UNSET
    """ Initial password (12 to 1024 characters). Without one the user cannot log in until a
    password is set. Write-only. """

    def to_dict(self) -> dict[str, Any]:
        email = self.email

        display_name = self.display_name

        role: str = self.role

        password: None | str | Unset
        if isinstance(self.password, Unset):
            password = UNSET
        else:
            password = self.password

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "email": email,
                "display_name": display_name,
                "role": role,
            }
        )
        if password is not UNSET:
            field_dict["password"] = password

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        email = d.pop("email")

        display_name = d.pop("display_name")

        role = check_role(d.pop("role"))

        def _parse_password(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        password = _parse_password(d.pop("password", UNSET))

        new_user = cls(
            email=email,
            display_name=display_name,
            role=role,
            password=password,
        )

        return new_user
