from typing import Literal

TopologyMode = Literal["explicit", "full_mesh", "hub_and_spoke"]

TOPOLOGY_MODE_VALUES: set[TopologyMode] = {
    "explicit",
    "full_mesh",
    "hub_and_spoke",
}


def check_topology_mode(value: str) -> TopologyMode:
    if value in TOPOLOGY_MODE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {TOPOLOGY_MODE_VALUES!r}"
    )
