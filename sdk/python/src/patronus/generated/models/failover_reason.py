from typing import Literal

FailoverReason = Literal["better", "path_down", "sla"]

FAILOVER_REASON_VALUES: set[FailoverReason] = {
    "better",
    "path_down",
    "sla",
}


def check_failover_reason(value: str) -> FailoverReason:
    if value in FAILOVER_REASON_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {FAILOVER_REASON_VALUES!r}"
    )
