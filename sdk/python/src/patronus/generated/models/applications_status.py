from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.application_usage import ApplicationUsage


T = TypeVar("T", bound="ApplicationsStatus")


@_attrs_define
class ApplicationsStatus:
    """What the agent recognised in the flows the site sent into the overlay, since it started."""

    late_moves: int
    """ Flows whose policy changed when their application was recognised after their first packet
    (a TLS flow is recognised by its ClientHello, after its SYN went by the policy it had
    without an application); each such flow moved once. """
    top: list[ApplicationUsage] | Unset = UNSET
    """ The applications with the most bytes, at most 20, the most first. """

    def to_dict(self) -> dict[str, Any]:
        late_moves = self.late_moves

        top: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.top, Unset):
            top = []
            for top_item_data in self.top:
                top_item = top_item_data.to_dict()
                top.append(top_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "late_moves": late_moves,
            }
        )
        if top is not UNSET:
            field_dict["top"] = top

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.application_usage import ApplicationUsage

        d = dict(src_dict)
        late_moves = d.pop("late_moves")

        _top = d.pop("top", UNSET)
        top: list[ApplicationUsage] | Unset = UNSET
        if _top is not UNSET:
            top = []
            for top_item_data in _top:
                top_item = ApplicationUsage.from_dict(top_item_data)

                top.append(top_item)

        applications_status = cls(
            late_moves=late_moves,
            top=top,
        )

        return applications_status
