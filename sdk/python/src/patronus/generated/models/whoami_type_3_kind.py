from typing import Literal

WhoamiType3Kind = Literal["agent"]

WHOAMI_TYPE_3_KIND_VALUES: set[WhoamiType3Kind] = {
    "agent",
}


def check_whoami_type_3_kind(value: str) -> WhoamiType3Kind:
    if value in WHOAMI_TYPE_3_KIND_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {WHOAMI_TYPE_3_KIND_VALUES!r}"
    )
