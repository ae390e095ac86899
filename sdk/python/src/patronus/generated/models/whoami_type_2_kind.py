from typing import Literal

WhoamiType2Kind = Literal["api_token"]

WHOAMI_TYPE_2_KIND_VALUES: set[WhoamiType2Kind] = {
    "api_token",
}


def check_whoami_type_2_kind(value: str) -> WhoamiType2Kind:
    if value in WHOAMI_TYPE_2_KIND_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {WHOAMI_TYPE_2_KIND_VALUES!r}"
    )
