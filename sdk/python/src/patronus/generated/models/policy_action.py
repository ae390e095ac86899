from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.path_selection import PathSelection, check_path_selection
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.sla import Sla


T = TypeVar("T", bound="PolicyAction")


@_attrs_define
class PolicyAction:
    path_selection: PathSelection
    qos_class: None | str | Unset = UNSET
    """ Name of an existing QoS class the traffic is put in. """
    link_preference: list[str] | Unset = UNSET
    """ Names of existing links in order of preference (at least one for `ordered`; a tie-breaker
    otherwise). """
    sla: None | Sla | Unset = UNSET
    failover_hold_down_seconds: int | Unset = UNSET
    """ Seconds a path must stay healthy before traffic moves back to it (default 10). """

    def to_dict(self) -> dict[str, Any]:
        from ..models.sla import Sla

        path_selection: str = self.path_selection

        qos_class: None | str | Unset
        if isinstance(self.qos_class, Unset):
            qos_class = UNSET
        else:
            qos_class = self.qos_class

        link_preference: list[str] | Unset = UNSET
        if not isinstance(self.link_preference, Unset):
            link_preference = self.link_preference

        sla: dict[str, Any] | None | Unset
        if isinstance(self.sla, Unset):
            sla = UNSET
        elif isinstance(self.sla, Sla):
            sla = self.sla.to_dict()
        else:
            sla = self.sla

        failover_hold_down_seconds = self.failover_hold_down_seconds

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "path_selection": path_selection,
            }
        )
        if qos_class is not UNSET:
            field_dict["qos_class"] = qos_class
        if link_preference is not UNSET:
            field_dict["link_preference"] = link_preference
        if sla is not UNSET:
            field_dict["sla"] = sla
        if failover_hold_down_seconds is not UNSET:
            field_dict["failover_hold_down_seconds"] = failover_hold_down_seconds

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.sla import Sla

        d = dict(src_dict)
        path_selection = check_path_selection(d.pop("path_selection"))

        def _parse_qos_class(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        qos_class = _parse_qos_class(d.pop("qos_class", UNSET))

        link_preference = cast(list[str], d.pop("link_preference", UNSET))

        def _parse_sla(data: object) -> None | Sla | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                sla_type_1 = Sla.from_dict(data)

                return sla_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Sla | Unset, data)

        sla = _parse_sla(d.pop("sla", UNSET))

        failover_hold_down_seconds = d.pop("failover_hold_down_seconds", UNSET)

        policy_action = cls(
            path_selection=path_selection,
            qos_class=qos_class,
            link_preference=link_preference,
            sla=sla,
            failover_hold_down_seconds=failover_hold_down_seconds,
        )

        return policy_action
