from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.bgp_state import BgpState, check_bgp_state
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.bgp_session_status import BgpSessionStatus


T = TypeVar("T", bound="BgpStatus")


@_attrs_define
class BgpStatus:
    """The BGP part of an agent's status report."""

    state: BgpState
    error: None | str | Unset = UNSET
    """ Why BGP is in `error` (FRR missing, a configuration FRR refused), for people. """
    sessions: list[BgpSessionStatus] | Unset = UNSET
    """ One per neighbour of the document, sorted by address. """

    def to_dict(self) -> dict[str, Any]:
        state: str = self.state

        error: None | str | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        else:
            error = self.error

        sessions: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.sessions, Unset):
            sessions = []
            for sessions_item_data in self.sessions:
                sessions_item = sessions_item_data.to_dict()
                sessions.append(sessions_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "state": state,
            }
        )
        if error is not UNSET:
            field_dict["error"] = error
        if sessions is not UNSET:
            field_dict["sessions"] = sessions

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.bgp_session_status import BgpSessionStatus

        d = dict(src_dict)
        state = check_bgp_state(d.pop("state"))

        def _parse_error(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        error = _parse_error(d.pop("error", UNSET))

        _sessions = d.pop("sessions", UNSET)
        sessions: list[BgpSessionStatus] | Unset = UNSET
        if _sessions is not UNSET:
            sessions = []
            for sessions_item_data in _sessions:
                sessions_item = BgpSessionStatus.from_dict(sessions_item_data)

                sessions.append(sessions_item)

        bgp_status = cls(
            state=state,
            error=error,
            sessions=sessions,
        )

        return bgp_status
