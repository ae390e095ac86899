from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.site_config import SiteConfig


T = TypeVar("T", bound="CompiledConfig")


@_attrs_define
class CompiledConfig:
    """A compiled document with its content hash and revision, as operators see it."""

    hash_: str
    """ Hex SHA-256 of the canonical document without its `revision`. """
    revision: int
    config: SiteConfig
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        hash_ = self.hash_

        revision = self.revision

        config = self.config.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "hash": hash_,
                "revision": revision,
                "config": config,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.site_config import SiteConfig

        d = dict(src_dict)
        hash_ = d.pop("hash")

        revision = d.pop("revision")

        config = SiteConfig.from_dict(d.pop("config"))

        compiled_config = cls(
            hash_=hash_,
            revision=revision,
            config=config,
        )

        compiled_config.additional_properties = d
        return compiled_config

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
