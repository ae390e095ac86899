from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.quotas import Quotas


T = TypeVar("T", bound="NewTenant")


@_attrs_define
class NewTenant:
    name: str
    slug: str
    """ 1 to 63 lowercase letters, digits and dashes, not starting or ending with a dash; used at
    login. Unique across the platform. """
    quotas: None | Quotas | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.quotas import Quotas

        name = self.name

        slug = self.slug

        quotas: dict[str, Any] | None | Unset
        if isinstance(self.quotas, Unset):
            quotas = UNSET
        elif isinstance(self.quotas, Quotas):
            quotas = self.quotas.to_dict()
        else:
            quotas = self.quotas

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "slug": slug,
            }
        )
        if quotas is not UNSET:
            field_dict["quotas"] = quotas

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.quotas import Quotas

        d = dict(src_dict)
        name = d.pop("name")

        slug = d.pop("slug")

        def _parse_quotas(data: object) -> None | Quotas | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                quotas_type_1 = Quotas.from_dict(data)

                return quotas_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Quotas | Unset, data)

        quotas = _parse_quotas(d.pop("quotas", UNSET))

        new_tenant = cls(
            name=name,
            slug=slug,
            quotas=quotas,
        )

        return new_tenant
