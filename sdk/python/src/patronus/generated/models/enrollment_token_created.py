from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="EnrollmentTokenCreated")


@_attrs_define
class EnrollmentTokenCreated:
    """The answer to creating an enrollment token: the only time its secret is shown."""

    id: UUID
    site_id: UUID
    description: str
    prefix: str
    """ The first characters of the secret. """
    uses_total: int
    uses_remaining: int
    expires_at: datetime.datetime
    created_at: datetime.datetime
    token: str
    """ The secret, `ptrn_enr_...`. Shown once; hand it to the machine that runs the agent. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        site_id = str(self.site_id)

        description = self.description

        prefix = self.prefix

        uses_total = self.uses_total

        uses_remaining = self.uses_remaining

        expires_at = self.expires_at.isoformat()

        created_at = self.created_at.isoformat()

        token = self.token

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "site_id": site_id,
                "description": description,
                "prefix": prefix,
                "uses_total": uses_total,
                "uses_remaining": uses_remaining,
                "expires_at": expires_at,
                "created_at": created_at,
                "token": token,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        site_id = UUID(d.pop("site_id"))

        description = d.pop("description")

        prefix = d.pop("prefix")

        uses_total = d.pop("uses_total")

        uses_remaining = d.pop("uses_remaining")

        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        token = d.pop("token")

        enrollment_token_created = cls(
            id=id,
            site_id=site_id,
            description=description,
            prefix=prefix,
            uses_total=uses_total,
            uses_remaining=uses_remaining,
            expires_at=expires_at,
            created_at=created_at,
            token=token,
        )

        enrollment_token_created.additional_properties = d
        return enrollment_token_created

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
