from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.role import Role, check_role
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.group_role import GroupRole


T = TypeVar("T", bound="IdentityProvider")


@_attrs_define
class IdentityProvider:
    """The tenant's identity provider."""

    issuer_url: str
    client_id: str
    client_secret_set: bool
    """ Whether a client secret is stored (it is never shown). """
    allowed_email_domains: list[str]
    role_claim: str
    role_mapping: list[GroupRole]
    password_login_admins_only: bool
    login_url: str
    """ Where a browser starts an SSO login for this tenant. """
    created_at: datetime.datetime
    updated_at: datetime.datetime
    etag: str
    default_role: None | Role | Unset = UNSET
    verified_at: datetime.datetime | None | Unset = UNSET
    """ When the first SSO login with this issuer and client succeeded. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        issuer_url = self.issuer_url

        client_id = self.client_id

        client_secret_set = self.client_secret_set

        allowed_email_domains = self.allowed_email_domains

        role_claim = self.role_claim

        role_mapping = []
        for role_mapping_item_data in self.role_mapping:
            role_mapping_item = role_mapping_item_data.to_dict()
            role_mapping.append(role_mapping_item)

        password_login_admins_only = self.password_login_admins_only

        login_url = self.login_url

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        etag = self.etag

        default_role: None | str | Unset
        if isinstance(self.default_role, Unset):
            default_role = UNSET
        elif isinstance(self.default_role, str):
            default_role = self.default_role
        else:
            default_role = self.default_role

        verified_at: None | str | Unset
        if isinstance(self.verified_at, Unset):
            verified_at = UNSET
        elif isinstance(self.verified_at, datetime.datetime):
            verified_at = self.verified_at.isoformat()
        else:
            verified_at = self.verified_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "issuer_url": issuer_url,
                "client_id": client_id,
                "client_secret_set": client_secret_set,
                "allowed_email_domains": allowed_email_domains,
                "role_claim": role_claim,
                "role_mapping": role_mapping,
                "password_login_admins_only": password_login_admins_only,
                "login_url": login_url,
                "created_at": created_at,
                "updated_at": updated_at,
                "etag": etag,
            }
        )
        if default_role is not UNSET:
            field_dict["default_role"] = default_role
        if verified_at is not UNSET:
            field_dict["verified_at"] = verified_at

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.group_role import GroupRole

        d = dict(src_dict)
        issuer_url = d.pop("issuer_url")

        client_id = d.pop("client_id")

        client_secret_set = d.pop("client_secret_set")

        allowed_email_domains = cast(list[str], d.pop("allowed_email_domains"))

        role_claim = d.pop("role_claim")

        role_mapping = []
        _role_mapping = d.pop("role_mapping")
        for role_mapping_item_data in _role_mapping:
            role_mapping_item = GroupRole.from_dict(role_mapping_item_data)

            role_mapping.append(role_mapping_item)

        password_login_admins_only = d.pop("password_login_admins_only")

        login_url = d.pop("login_url")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        etag = d.pop("etag")

        def _parse_default_role(data: object) -> None | Role | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                default_role_type_1 = check_role(data)

                return default_role_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Role | Unset, data)

        default_role = _parse_default_role(d.pop("default_role", UNSET))

        def _parse_verified_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                verified_at_type_0 = datetime.datetime.fromisoformat(data)

                return verified_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        verified_at = _parse_verified_at(d.pop("verified_at", UNSET))

        identity_provider = cls(
            issuer_url=issuer_url,
            client_id=client_id,
            client_secret_set=client_secret_set,
            allowed_email_domains=allowed_email_domains,
            role_claim=role_claim,
            role_mapping=role_mapping,
            password_login_admins_only=password_login_admins_only,
            login_url=login_url,
            created_at=created_at,
            updated_at=updated_at,
            etag=etag,
            default_role=default_role,
            verified_at=verified_at,
        )

        identity_provider.additional_properties = d
        return identity_provider

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
