from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="NewPeering")


@_attrs_define
class NewPeering:
    site_a: UUID
    site_b: UUID
    """ Another site than `site_a`. """
    name: None | str | Unset = UNSET
    """ Defaults to `<site a name>--<site b name>`. """

    def to_dict(self) -> dict[str, Any]:
        site_a = str(self.site_a)

        site_b = str(self.site_b)

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "site_a": site_a,
                "site_b": site_b,
            }
        )
        if name is not UNSET:
            field_dict["name"] = name

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        site_a = UUID(d.pop("site_a"))

        site_b = UUID(d.pop("site_b"))

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        new_peering = cls(
            site_a=site_a,
            site_b=site_b,
            name=name,
        )

        return new_peering
