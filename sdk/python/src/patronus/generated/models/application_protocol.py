from typing import Literal

ApplicationProtocol = Literal["any", "tcp", "udp"]

APPLICATION_PROTOCOL_VALUES: set[ApplicationProtocol] = {
    "any",
    "tcp",
    "udp",
}


def check_application_protocol(value: str) -> ApplicationProtocol:
    if value in APPLICATION_PROTOCOL_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {APPLICATION_PROTOCOL_VALUES!r}"
    )
