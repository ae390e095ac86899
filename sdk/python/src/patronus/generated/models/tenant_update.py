from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.quotas_update import QuotasUpdate


T = TypeVar("T", bound="TenantUpdate")


@_attrs_define
class TenantUpdate:
    name: None | str | Unset = UNSET
    slug: None | str | Unset = UNSET
    quotas: None | QuotasUpdate | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.quotas_update import QuotasUpdate

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        slug: None | str | Unset
        if isinstance(self.slug, Unset):
            slug = UNSET
        else:
            slug = self.slug

        quotas: dict[str, Any] | None | Unset
        if isinstance(self.quotas, Unset):
            quotas = UNSET
        elif isinstance(self.quotas, QuotasUpdate):
            quotas = self.quotas.to_dict()
        else:
            quotas = self.quotas

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if name is not UNSET:
            field_dict["name"] = name
        if slug is not UNSET:
            field_dict["slug"] = slug
        if quotas is not UNSET:
            field_dict["quotas"] = quotas

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.quotas_update import QuotasUpdate

        d = dict(src_dict)

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        def _parse_slug(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        slug = _parse_slug(d.pop("slug", UNSET))

        def _parse_quotas(data: object) -> None | QuotasUpdate | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                quotas_type_1 = QuotasUpdate.from_dict(data)

                return quotas_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | QuotasUpdate | Unset, data)

        quotas = _parse_quotas(d.pop("quotas", UNSET))

        tenant_update = cls(
            name=name,
            slug=slug,
            quotas=quotas,
        )

        return tenant_update
