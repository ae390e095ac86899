from typing import Literal

SiteRole = Literal["edge", "hub"]

SITE_ROLE_VALUES: set[SiteRole] = {
    "edge",
    "hub",
}


def check_site_role(value: str) -> SiteRole:
    if value in SITE_ROLE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {SITE_ROLE_VALUES!r}")
