from typing import Literal

Signature = Literal["dns", "http", "quic", "sip", "ssh", "tls"]

SIGNATURE_VALUES: set[Signature] = {
    "dns",
    "http",
    "quic",
    "sip",
    "ssh",
    "tls",
}


def check_signature(value: str) -> Signature:
    if value in SIGNATURE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {SIGNATURE_VALUES!r}")
