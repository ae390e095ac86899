from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.xdp_attach_mode import XdpAttachMode, check_xdp_attach_mode
from ..types import UNSET, Unset

T = TypeVar("T", bound="XdpGuardLink")


@_attrs_define
class XdpGuardLink:
    """How the guard runs on one WAN link's interface."""

    name: str
    interface: str
    mode: XdpAttachMode
    error: None | str | Unset = UNSET
    """ Why it is not attached. """

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        interface = self.interface

        mode: str = self.mode

        error: None | str | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        else:
            error = self.error

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "interface": interface,
                "mode": mode,
            }
        )
        if error is not UNSET:
            field_dict["error"] = error

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        name = d.pop("name")

        interface = d.pop("interface")

        mode = check_xdp_attach_mode(d.pop("mode"))

        def _parse_error(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        error = _parse_error(d.pop("error", UNSET))

        xdp_guard_link = cls(
            name=name,
            interface=interface,
            mode=mode,
            error=error,
        )

        return xdp_guard_link
