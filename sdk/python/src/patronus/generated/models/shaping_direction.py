from typing import Literal

ShapingDirection = Literal["egress", "ingress"]

SHAPING_DIRECTION_VALUES: set[ShapingDirection] = {
    "egress",
    "ingress",
}


def check_shaping_direction(value: str) -> ShapingDirection:
    if value in SHAPING_DIRECTION_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {SHAPING_DIRECTION_VALUES!r}"
    )
