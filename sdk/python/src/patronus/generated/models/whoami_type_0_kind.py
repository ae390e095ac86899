from typing import Literal

WhoamiType0Kind = Literal["platform"]

WHOAMI_TYPE_0_KIND_VALUES: set[WhoamiType0Kind] = {
    "platform",
}


def check_whoami_type_0_kind(value: str) -> WhoamiType0Kind:
    if value in WHOAMI_TYPE_0_KIND_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {WHOAMI_TYPE_0_KIND_VALUES!r}"
    )
