from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.category import Category, check_category
from ..models.signature import Signature, check_signature
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.port_rule import PortRule


T = TypeVar("T", bound="Application")


@_attrs_define
class Application:
    """One application or protocol."""

    name: str
    """ 1 to 64 characters of `a-z 0-9 - _`, as a policy's `application` field. """
    category: Category
    domains: list[str] | Unset = UNSET
    """ Names a flow's TLS or QUIC SNI, HTTP `Host` or an earlier DNS answer may carry: `name`
    exactly, or `*.name` for any name below it (not `name` itself). """
    prefixes: list[str] | Unset = UNSET
    """ Destination prefixes that belong to this application alone (with `ports`, if given). """
    ports: list[PortRule] | Unset = UNSET
    """ Destination ports; without `prefixes` they are the fallback when nothing in a flow's
    first packets names an application. """
    signature: None | Signature | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        category: str = self.category

        domains: list[str] | Unset = UNSET
        if not isinstance(self.domains, Unset):
            domains = self.domains

        prefixes: list[str] | Unset = UNSET
        if not isinstance(self.prefixes, Unset):
            prefixes = self.prefixes

        ports: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.ports, Unset):
            ports = []
            for ports_item_data in self.ports:
                ports_item = ports_item_data.to_dict()
                ports.append(ports_item)

        signature: None | str | Unset
        if isinstance(self.signature, Unset):
            signature = UNSET
        elif isinstance(self.signature, str):
            signature = self.signature
        else:
            signature = self.signature

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "category": category,
            }
        )
        if domains is not UNSET:
            field_dict["domains"] = domains
        if prefixes is not UNSET:
            field_dict["prefixes"] = prefixes
        if ports is not UNSET:
            field_dict["ports"] = ports
        if signature is not UNSET:
            field_dict["signature"] = signature

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.port_rule import PortRule

        d = dict(src_dict)
        name = d.pop("name")

        category = check_category(d.pop("category"))

        domains = cast(list[str], d.pop("domains", UNSET))

        prefixes = cast(list[str], d.pop("prefixes", UNSET))

        _ports = d.pop("ports", UNSET)
        ports: list[PortRule] | Unset = UNSET
        if _ports is not UNSET:
            ports = []
            for ports_item_data in _ports:
                ports_item = PortRule.from_dict(ports_item_data)

                ports.append(ports_item)

        def _parse_signature(data: object) -> None | Signature | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                signature_type_1 = check_signature(data)

                return signature_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Signature | Unset, data)

        signature = _parse_signature(d.pop("signature", UNSET))

        application = cls(
            name=name,
            category=category,
            domains=domains,
            prefixes=prefixes,
            ports=ports,
            signature=signature,
        )

        return application
