from typing import Literal

BgpAction = Literal["deny", "permit"]

BGP_ACTION_VALUES: set[BgpAction] = {
    "deny",
    "permit",
}


def check_bgp_action(value: str) -> BgpAction:
    if value in BGP_ACTION_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {BGP_ACTION_VALUES!r}"
    )
