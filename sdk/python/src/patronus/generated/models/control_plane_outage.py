from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="ControlPlaneOutage")


@_attrs_define
class ControlPlaneOutage:
    """A time the agent could not reach the control plane: from its first config poll that got no
    answer to the first answer after it.

    """

    started_at: datetime.datetime
    ended_at: datetime.datetime
    failed_polls: int
    """ Config polls that failed during it (no answer, or a server error). """

    def to_dict(self) -> dict[str, Any]:
        started_at = self.started_at.isoformat()

        ended_at = self.ended_at.isoformat()

        failed_polls = self.failed_polls

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "started_at": started_at,
                "ended_at": ended_at,
                "failed_polls": failed_polls,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        started_at = datetime.datetime.fromisoformat(d.pop("started_at"))

        ended_at = datetime.datetime.fromisoformat(d.pop("ended_at"))

        failed_polls = d.pop("failed_polls")

        control_plane_outage = cls(
            started_at=started_at,
            ended_at=ended_at,
            failed_polls=failed_polls,
        )

        return control_plane_outage
