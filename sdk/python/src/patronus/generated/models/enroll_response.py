from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="EnrollResponse")


@_attrs_define
class EnrollResponse:
    """The answer to an enrollment: the agent credential, shown once."""

    agent_id: UUID
    site_id: UUID
    credential: str
    """ The agent credential, `ptrn_agent_...`. Shown once; the agent stores it. """
    status_interval_seconds: int
    """ Seconds between status reports the server expects. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        agent_id = str(self.agent_id)

        site_id = str(self.site_id)

        credential = self.credential

        status_interval_seconds = self.status_interval_seconds

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "agent_id": agent_id,
                "site_id": site_id,
                "credential": credential,
                "status_interval_seconds": status_interval_seconds,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        agent_id = UUID(d.pop("agent_id"))

        site_id = UUID(d.pop("site_id"))

        credential = d.pop("credential")

        status_interval_seconds = d.pop("status_interval_seconds")

        enroll_response = cls(
            agent_id=agent_id,
            site_id=site_id,
            credential=credential,
            status_interval_seconds=status_interval_seconds,
        )

        enroll_response.additional_properties = d
        return enroll_response

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
