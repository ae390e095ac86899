from typing import Literal

PathSelection = Literal[
    "duplicate", "lowest_cost", "lowest_latency", "lowest_loss", "ordered"
]

PATH_SELECTION_VALUES: set[PathSelection] = {
    "duplicate",
    "lowest_cost",
    "lowest_latency",
    "lowest_loss",
    "ordered",
}


def check_path_selection(value: str) -> PathSelection:
    if value in PATH_SELECTION_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {PATH_SELECTION_VALUES!r}"
    )
