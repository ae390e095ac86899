from typing import Literal

Category = Literal[
    "audio",
    "backup",
    "business",
    "cloud",
    "collaboration",
    "conferencing",
    "development",
    "email",
    "file_sharing",
    "identity",
    "messaging",
    "network",
    "remote_access",
    "social",
    "software_update",
    "video",
    "voice",
    "web",
]

CATEGORY_VALUES: set[Category] = {
    "audio",
    "backup",
    "business",
    "cloud",
    "collaboration",
    "conferencing",
    "development",
    "email",
    "file_sharing",
    "identity",
    "messaging",
    "network",
    "remote_access",
    "social",
    "software_update",
    "video",
    "voice",
    "web",
}


def check_category(value: str) -> Category:
    if value in CATEGORY_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {CATEGORY_VALUES!r}")
