from typing import Literal

WhoamiType1Kind = Literal["user"]

WHOAMI_TYPE_1_KIND_VALUES: set[WhoamiType1Kind] = {
    "user",
}


def check_whoami_type_1_kind(value: str) -> WhoamiType1Kind:
    if value in WHOAMI_TYPE_1_KIND_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {WHOAMI_TYPE_1_KIND_VALUES!r}"
    )
