from typing import Literal

BgpState = Literal["error", "off", "running"]

BGP_STATE_VALUES: set[BgpState] = {
    "error",
    "off",
    "running",
}


def check_bgp_state(value: str) -> BgpState:
    if value in BGP_STATE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {BGP_STATE_VALUES!r}")
