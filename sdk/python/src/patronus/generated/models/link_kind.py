from typing import Literal

LinkKind = Literal[
    "5g", "cable", "dsl", "ethernet", "fiber", "lte", "mpls", "other", "satellite"
]

LINK_KIND_VALUES: set[LinkKind] = {
    "5g",
    "cable",
    "dsl",
    "ethernet",
    "fiber",
    "lte",
    "mpls",
    "other",
    "satellite",
}


def check_link_kind(value: str) -> LinkKind:
    if value in LINK_KIND_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {LINK_KIND_VALUES!r}")
