from typing import Literal

LearnedRouteState = Literal["accepted", "not_imported", "refused"]

LEARNED_ROUTE_STATE_VALUES: set[LearnedRouteState] = {
    "accepted",
    "not_imported",
    "refused",
}


def check_learned_route_state(value: str) -> LearnedRouteState:
    if value in LEARNED_ROUTE_STATE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {LEARNED_ROUTE_STATE_VALUES!r}"
    )
