"""Python client of the Patronus SD-WAN control plane API.

    import patronus

    with patronus.Client() as client:          # PATRONUS_URL, PATRONUS_TOKEN
        site = client.sites.create({"name": "berlin", "lan_prefixes": ["10.1.0.0/16"]})
        for s in client.sites.list():
            print(s.name, s.overlay_address)

Models (:mod:`patronus.models`) and request functions (:mod:`patronus.generated`) are generated
from the OpenAPI spec; this package adds the client, typed errors, retries and iterators.
"""

__version__ = "0.1.0"

from . import models
from ._client import Client
from ._resources import Page
from ._retry import RetryPolicy
from .errors import (
    ApiError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    FieldError,
    ForbiddenError,
    NotFoundError,
    PatronusError,
    PayloadTooLargeError,
    PreconditionFailedError,
    RateLimitedError,
    ServerError,
    ServiceUnavailableError,
    UnauthorizedError,
    ValidationError,
)
from .generated.types import UNSET, Unset

__all__ = [
    "__version__",
    "Client",
    "Page",
    "RetryPolicy",
    "models",
    "UNSET",
    "Unset",
    "PatronusError",
    "ConfigurationError",
    "ApiError",
    "FieldError",
    "BadRequestError",
    "UnauthorizedError",
    "ForbiddenError",
    "NotFoundError",
    "ConflictError",
    "PreconditionFailedError",
    "PayloadTooLargeError",
    "ValidationError",
    "RateLimitedError",
    "ServerError",
    "ServiceUnavailableError",
]
