from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.protocol import Protocol, check_protocol

T = TypeVar("T", bound="PortRule")


@_attrs_define
class PortRule:
    protocol: Protocol
    ports: list[str]

    def to_dict(self) -> dict[str, Any]:
        protocol: str = self.protocol

        ports = self.ports

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "protocol": protocol,
                "ports": ports,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        protocol = check_protocol(d.pop("protocol"))

        ports = cast(list[str], d.pop("ports"))

        port_rule = cls(
            protocol=protocol,
            ports=ports,
        )

        return port_rule
