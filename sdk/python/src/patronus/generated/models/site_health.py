from typing import Literal

SiteHealth = Literal["degraded", "offline", "online", "unenrolled"]

SITE_HEALTH_VALUES: set[SiteHealth] = {
    "degraded",
    "offline",
    "online",
    "unenrolled",
}


def check_site_health(value: str) -> SiteHealth:
    if value in SITE_HEALTH_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {SITE_HEALTH_VALUES!r}"
    )
