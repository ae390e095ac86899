from typing import Literal

XdpGuardState = Literal["active", "disabled", "unavailable"]

XDP_GUARD_STATE_VALUES: set[XdpGuardState] = {
    "active",
    "disabled",
    "unavailable",
}


def check_xdp_guard_state(value: str) -> XdpGuardState:
    if value in XDP_GUARD_STATE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {XDP_GUARD_STATE_VALUES!r}"
    )
