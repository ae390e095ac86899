from typing import Literal

XdpAttachMode = Literal["generic", "native", "none"]

XDP_ATTACH_MODE_VALUES: set[XdpAttachMode] = {
    "generic",
    "native",
    "none",
}


def check_xdp_attach_mode(value: str) -> XdpAttachMode:
    if value in XDP_ATTACH_MODE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {XDP_ATTACH_MODE_VALUES!r}"
    )
