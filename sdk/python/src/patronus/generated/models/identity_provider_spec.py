from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.role import Role, check_role
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.group_role import GroupRole


T = TypeVar("T", bound="IdentityProviderSpec")


@_attrs_define
class IdentityProviderSpec:
    """The tenant's identity provider as `PUT /v1/identity-provider` takes it: the whole
    configuration, replaced at once.

    """

    issuer_url: str
    """ The OIDC issuer; discovery is read from `<issuer_url>/.well-known/openid-configuration`.
    `https`, or `http` on a loopback address; no query, fragment or user info. """
    client_id: str
    client_secret: None | str | Unset = UNSET
    """ Write-only. Required when the provider is created; omitted, the stored one is kept. """
    allowed_email_domains: list[str] | Unset = UNSET
    """ Only emails in these domains may sign in (any domain when empty); compared without case. """
    role_claim: str | Unset = UNSET
    """ The ID-token claim that names the user's groups (a string or a list of strings); `groups` when
    omitted. """
    role_mapping: list[GroupRole] | Unset = UNSET
    """ Group → role; a member of several groups gets the highest of their roles. """
    default_role: None | Role | Unset = UNSET
    password_login_admins_only: bool | Unset = UNSET
    """ Password login only for admins; everyone else signs in through SSO. Can be turned on only
    once an SSO login has succeeded with this issuer and client (`verified_at`). """

    def to_dict(self) -> dict[str, Any]:
        issuer_url = self.issuer_url

        client_id = self.client_id

        client_secret: None | str | Unset
        if isinstance(self.client_secret, Unset):
            client_secret = UNSET
        else:
            client_secret = self.client_secret

        allowed_email_domains: list[str] | Unset = UNSET
        if not isinstance(self.allowed_email_domains, Unset):
            allowed_email_domains = self.allowed_email_domains

        role_claim = self.role_claim

        role_mapping: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.role_mapping, Unset):
            role_mapping = []
            for role_mapping_item_data in self.role_mapping:
                role_mapping_item = role_mapping_item_data.to_dict()
                role_mapping.append(role_mapping_item)

        default_role: None | str | Unset
        if isinstance(self.default_role, Unset):
            default_role = UNSET
        elif isinstance(self.default_role, str):
            default_role = self.default_role
        else:
            default_role = self.default_role

        password_login_admins_only = self.password_login_admins_only

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "issuer_url": issuer_url,
                "client_id": client_id,
            }
        )
        if client_secret is not UNSET:
            field_dict["client_secret"] = client_secret
        if allowed_email_domains is not UNSET:
            field_dict["allowed_email_domains"] = allowed_email_domains
        if role_claim is not UNSET:
            field_dict["role_claim"] = role_claim
        if role_mapping is not UNSET:
            field_dict["role_mapping"] = role_mapping
        if default_role is not UNSET:
            field_dict["default_role"] = default_role
        if password_login_admins_only is not UNSET:
            field_dict["password_login_admins_only"] = password_login_admins_only

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.group_role import GroupRole

        d = dict(src_dict)
        issuer_url = d.pop("issuer_url")

        client_id = d.pop("client_id")

        def _parse_client_secret(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        client_secret = _parse_client_secret(d.pop("client_secret", UNSET))

        allowed_email_domains = cast(list[str], d.pop("allowed_email_domains", UNSET))

        role_claim = d.pop("role_claim", UNSET)

        _role_mapping = d.pop("role_mapping", UNSET)
        role_mapping: list[GroupRole] | Unset = UNSET
        if _role_mapping is not UNSET:
            role_mapping = []
            for role_mapping_item_data in _role_mapping:
                role_mapping_item = GroupRole.from_dict(role_mapping_item_data)

                role_mapping.append(role_mapping_item)

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

        password_login_admins_only = d.pop("password_login_admins_only", UNSET)

        identity_provider_spec = cls(
            issuer_url=issuer_url,
            client_id=client_id,
            client_secret=client_secret,
            allowed_email_domains=allowed_email_domains,
            role_claim=role_claim,
            role_mapping=role_mapping,
            default_role=default_role,
            password_login_admins_only=password_login_admins_only,
        )

        return identity_provider_spec
