from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="EnrollRequest")


@_attrs_define
class EnrollRequest:
    """What an agent sends to enroll."""

    token: str
    """ The enrollment token, `ptrn_enr_...`. """
    public_key: str
    """ The agent's WireGuard public key, base64 of 32 bytes. """
    hostname: str
    """ 1 to 253 bytes (in UTF-8), no control characters. """
    agent_version: str
    """ 1 to 64 bytes (in UTF-8), no control characters. """

    def to_dict(self) -> dict[str, Any]:
        token = self.token

        public_key = self.public_key

        hostname = self.hostname

        agent_version = self.agent_version

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "token": token,
                "public_key": public_key,
                "hostname": hostname,
                "agent_version": agent_version,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        token = d.pop("token")

        public_key = d.pop("public_key")

        hostname = d.pop("hostname")

        agent_version = d.pop("agent_version")

        enroll_request = cls(
            token=token,
            public_key=public_key,
            hostname=hostname,
            agent_version=agent_version,
        )

        return enroll_request
