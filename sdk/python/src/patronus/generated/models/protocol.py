from typing import Literal

Protocol = Literal["any", "icmp", "tcp", "udp"]

PROTOCOL_VALUES: set[Protocol] = {
    "any",
    "icmp",
    "tcp",
    "udp",
}


def check_protocol(value: str) -> Protocol:
    if value in PROTOCOL_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {PROTOCOL_VALUES!r}")
