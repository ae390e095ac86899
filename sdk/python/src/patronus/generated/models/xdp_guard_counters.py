from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="XdpGuardCounters")


@_attrs_define
class XdpGuardCounters:
    """The guard's verdicts on datagrams to the listen port, in packets, and bytes of WireGuard
    message (UDP payload).

    """

    passed_initiations: int | Unset = UNSET
    passed_responses: int | Unset = UNSET
    passed_cookie_replies: int | Unset = UNSET
    passed_data: int | Unset = UNSET
    passed_bytes: int | Unset = UNSET
    dropped_malformed: int | Unset = UNSET
    """ Not a WireGuard message: unknown type, reserved bytes set, or a length its type never has. """
    dropped_unknown_index: int | Unset = UNSET
    """ A response, cookie reply or data message for a session index the agent has not issued. """
    dropped_initiation_rate: int | Unset = UNSET
    """ Handshake initiations from one source address above its rate. """
    dropped_bytes: int | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        passed_initiations = self.passed_initiations

        passed_responses = self.passed_responses

        passed_cookie_replies = self.passed_cookie_replies

        passed_data = self.passed_data

        passed_bytes = self.passed_bytes

        dropped_malformed = self.dropped_malformed

        dropped_unknown_index = self.dropped_unknown_index

        dropped_initiation_rate = self.dropped_initiation_rate

        dropped_bytes = self.dropped_bytes

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if passed_initiations is not UNSET:
            field_dict["passed_initiations"] = passed_initiations
        if passed_responses is not UNSET:
            field_dict["passed_responses"] = passed_responses
        if passed_cookie_replies is not UNSET:
            field_dict["passed_cookie_replies"] = passed_cookie_replies
        if passed_data is not UNSET:
            field_dict["passed_data"] = passed_data
        if passed_bytes is not UNSET:
            field_dict["passed_bytes"] = passed_bytes
        if dropped_malformed is not UNSET:
            field_dict["dropped_malformed"] = dropped_malformed
        if dropped_unknown_index is not UNSET:
            field_dict["dropped_unknown_index"] = dropped_unknown_index
        if dropped_initiation_rate is not UNSET:
            field_dict["dropped_initiation_rate"] = dropped_initiation_rate
        if dropped_bytes is not UNSET:
            field_dict["dropped_bytes"] = dropped_bytes

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        passed_initiations = d.pop("passed_initiations", UNSET)

        passed_responses = d.pop("passed_responses", UNSET)

        passed_cookie_replies = d.pop("passed_cookie_replies", UNSET)

        passed_data = d.pop("passed_data", UNSET)

        passed_bytes = d.pop("passed_bytes", UNSET)

        dropped_malformed = d.pop("dropped_malformed", UNSET)

        dropped_unknown_index = d.pop("dropped_unknown_index", UNSET)

        dropped_initiation_rate = d.pop("dropped_initiation_rate", UNSET)

        dropped_bytes = d.pop("dropped_bytes", UNSET)

        xdp_guard_counters = cls(
            passed_initiations=passed_initiations,
            passed_responses=passed_responses,
            passed_cookie_replies=passed_cookie_replies,
            passed_data=passed_data,
            passed_bytes=passed_bytes,
            dropped_malformed=dropped_malformed,
            dropped_unknown_index=dropped_unknown_index,
            dropped_initiation_rate=dropped_initiation_rate,
            dropped_bytes=dropped_bytes,
        )

        return xdp_guard_counters
