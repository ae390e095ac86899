from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.shaping_class import ShapingClass


T = TypeVar("T", bound="LinkShaping")


@_attrs_define
class LinkShaping:
    """The traffic shaping (tc) on one WAN link's interface: an HTB hierarchy shaped a little below
    the link's bandwidth, one class per QoS class and a default class for the rest.

    """

    interface: str
    """ The interface the installed hierarchy is on. """
    egress_kbps: int | None | Unset = UNSET
    """ The rate the link's sending direction is shaped to, in kbit/s; absent when nothing is
    installed (see `error`). """
    ingress_kbps: int | None | Unset = UNSET
    """ The rate the receiving direction is shaped to (through an IFB device), in kbit/s; absent
    when the agent does not shape what it receives (its default). """
    leaf: None | str | Unset = UNSET
    """ The queue in each class: `fq_codel` where the kernel has it, otherwise a short `pfifo`. """
    error: None | str | Unset = UNSET
    """ Why the document's shaping for this link is not what is installed (a bandwidth of 0, QoS
    guarantees the link cannot carry, an interface that does not exist, tc refusing it);
    the shaping installed before stays until the cause is fixed. """
    classes: list[ShapingClass] | Unset = UNSET
    """ Counters of each class of the installed hierarchy. """

    def to_dict(self) -> dict[str, Any]:
        interface = self.interface

        egress_kbps: int | None | Unset
        if isinstance(self.egress_kbps, Unset):
            egress_kbps = UNSET
        else:
            egress_kbps = self.egress_kbps

        ingress_kbps: int | None | Unset
        if isinstance(self.ingress_kbps, Unset):
            ingress_kbps = UNSET
        else:
            ingress_kbps = self.ingress_kbps

        leaf: None | str | Unset
        if isinstance(self.leaf, Unset):
            leaf = UNSET
        else:
            leaf = self.leaf

        error: None | str | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        else:
            error = self.error

        classes: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.classes, Unset):
            classes = []
            for classes_item_data in self.classes:
                classes_item = classes_item_data.to_dict()
                classes.append(classes_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "interface": interface,
            }
        )
        if egress_kbps is not UNSET:
            field_dict["egress_kbps"] = egress_kbps
        if ingress_kbps is not UNSET:
            field_dict["ingress_kbps"] = ingress_kbps
        if leaf is not UNSET:
            field_dict["leaf"] = leaf
        if error is not UNSET:
            field_dict["error"] = error
        if classes is not UNSET:
            field_dict["classes"] = classes

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.shaping_class import ShapingClass

        d = dict(src_dict)
        interface = d.pop("interface")

        def _parse_egress_kbps(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        egress_kbps = _parse_egress_kbps(d.pop("egress_kbps", UNSET))

        def _parse_ingress_kbps(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        ingress_kbps = _parse_ingress_kbps(d.pop("ingress_kbps", UNSET))

        def _parse_leaf(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        leaf = _parse_leaf(d.pop("leaf", UNSET))

        def _parse_error(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        error = _parse_error(d.pop("error", UNSET))

        _classes = d.pop("classes", UNSET)
        classes: list[ShapingClass] | Unset = UNSET
        if _classes is not UNSET:
            classes = []
            for classes_item_data in _classes:
                classes_item = ShapingClass.from_dict(classes_item_data)

                classes.append(classes_item)

        link_shaping = cls(
            interface=interface,
            egress_kbps=egress_kbps,
            ingress_kbps=ingress_kbps,
            leaf=leaf,
            error=error,
            classes=classes,
        )

        return link_shaping
