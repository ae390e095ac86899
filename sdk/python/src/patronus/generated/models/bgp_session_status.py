from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.bgp_session_problem import BgpSessionProblem, check_bgp_session_problem
from ..types import UNSET, Unset

T = TypeVar("T", bound="BgpSessionStatus")


@_attrs_define
class BgpSessionStatus:
    """One BGP session as the agent's FRR sees it."""

    neighbor: str
    remote_asn: int
    state: str
    """ FRR's word for the session's state: `Idle`, `Connect`, `Active`, `OpenSent`,
    `OpenConfirm` or `Established`. """
    prefixes_received: int
    """ Prefixes accepted from the neighbour (after its import route map). """
    established_seconds: int | None | Unset = UNSET
    """ Seconds since the session came up; absent while it is down. """
    problem: BgpSessionProblem | None | Unset = UNSET
    detail: None | str | Unset = UNSET
    """ The problem in words, for people. """

    def to_dict(self) -> dict[str, Any]:
        neighbor = self.neighbor

        remote_asn = self.remote_asn

        state = self.state

        prefixes_received = self.prefixes_received

        established_seconds: int | None | Unset
        if isinstance(self.established_seconds, Unset):
            established_seconds = UNSET
        else:
            established_seconds = self.established_seconds

        problem: None | str | Unset
        if isinstance(self.problem, Unset):
            problem = UNSET
        elif isinstance(self.problem, str):
            problem = self.problem
        else:
            problem = self.problem

        detail: None | str | Unset
        if isinstance(self.detail, Unset):
            detail = UNSET
        else:
            detail = self.detail

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "neighbor": neighbor,
                "remote_asn": remote_asn,
                "state": state,
                "prefixes_received": prefixes_received,
            }
        )
        if established_seconds is not UNSET:
            field_dict["established_seconds"] = established_seconds
        if problem is not UNSET:
            field_dict["problem"] = problem
        if detail is not UNSET:
            field_dict["detail"] = detail

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        neighbor = d.pop("neighbor")

        remote_asn = d.pop("remote_asn")

        state = d.pop("state")

        prefixes_received = d.pop("prefixes_received")

        def _parse_established_seconds(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        established_seconds = _parse_established_seconds(
            d.pop("established_seconds", UNSET)
        )

        def _parse_problem(data: object) -> BgpSessionProblem | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                problem_type_1 = check_bgp_session_problem(data)

                return problem_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(BgpSessionProblem | None | Unset, data)

        problem = _parse_problem(d.pop("problem", UNSET))

        def _parse_detail(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        detail = _parse_detail(d.pop("detail", UNSET))

        bgp_session_status = cls(
            neighbor=neighbor,
            remote_asn=remote_asn,
            state=state,
            prefixes_received=prefixes_received,
            established_seconds=established_seconds,
            problem=problem,
            detail=detail,
        )

        return bgp_session_status
