"""Typed errors. Every error response of the API is an RFC 9457 problem document; an
:class:`ApiError` carries it whole (``type``, ``title``, ``status``, ``detail``, field ``errors``),
and its subclass tells the kind without looking at the status code::

    try:
        client.sites.update(site.id, {"name": "x"}, if_match=stale_etag)
    except patronus.PreconditionFailedError:
        ...  # someone else changed the site: read it again
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx

__all__ = [
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


class PatronusError(Exception):
    """Base class of every error this SDK raises on purpose."""


class ConfigurationError(PatronusError):
    """The client is missing its URL or token (arguments or ``PATRONUS_URL``/``PATRONUS_TOKEN``)."""


@dataclass(frozen=True)
class FieldError:
    """One invalid field: ``pointer`` is a JSON Pointer into the request body (``/lan_prefixes/0``)
    or ``/query/<name>`` for a query parameter."""

    pointer: str
    detail: str


class ApiError(PatronusError):
    """The server answered with an error status and (normally) a problem+json body."""

    status: int
    type: str
    title: str
    detail: str | None
    errors: list[FieldError]
    problem: dict[str, Any]
    request_id: str | None
    headers: httpx.Headers

    def __init__(self, status: int, problem: dict[str, Any], headers: httpx.Headers | None = None) -> None:
        self.status = status
        self.problem = problem
        self.type = str(problem.get("type") or "about:blank")
        self.title = str(problem.get("title") or httpx.codes.get_reason_phrase(status) or "Error")
        detail = problem.get("detail")
        self.detail = str(detail) if detail is not None else None
        self.errors = [
            FieldError(pointer=str(e.get("pointer", "")), detail=str(e.get("detail", "")))
            for e in problem.get("errors") or []
            if isinstance(e, dict)
        ]
        self.headers = headers if headers is not None else httpx.Headers()
        self.request_id = self.headers.get("x-request-id")
        super().__init__(str(self))

    @property
    def kind(self) -> str:
        """The last segment of ``type``: ``validation``, ``not-found``, ``precondition-failed``..."""
        return self.type.rstrip("/").rsplit("/", 1)[-1]

    def __str__(self) -> str:
        text = f"{self.status} {self.title}"
        if self.detail:
            text += f": {self.detail}"
        if self.errors:
            text += " (" + "; ".join(f"{e.pointer}: {e.detail}" for e in self.errors) + ")"
        return text

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status}, type={self.type!r}, detail={self.detail!r})"

    @staticmethod
    def from_response(response: httpx.Response) -> ApiError:
        """The typed error for an error response."""
        try:
            body = json.loads(response.content) if response.content else {}
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        if "detail" not in body and not body and response.content:
            body = {"detail": response.content[:500].decode("utf-8", "replace")}
        cls = _BY_STATUS.get(response.status_code)
        if cls is None:
            cls = ServerError if response.status_code >= 500 else ApiError
        return cls(response.status_code, body, response.headers)


class BadRequestError(ApiError):
    """400: the request could not be read (malformed JSON, a bad header)."""


class UnauthorizedError(ApiError):
    """401: no credential, or one that is unknown, expired or revoked."""


class ForbiddenError(ApiError):
    """403: the credential's role may not do this."""


class NotFoundError(ApiError):
    """404: no such object in this tenant (also what a DELETE of a missing object answers)."""


class ConflictError(ApiError):
    """409: a name already taken, an object still in use, an Idempotency-Key still in progress."""


class PreconditionFailedError(ApiError):
    """412: the ``If-Match`` ETag is stale: the object changed since it was read."""


class PayloadTooLargeError(ApiError):
    """413: the body is over the server's limit."""


class ValidationError(ApiError):
    """422: invalid fields; :attr:`errors` says which, with JSON Pointers."""


class RateLimitedError(ApiError):
    """429 after the retries ran out; ``retry_after`` is the server's last hint in seconds."""

    @property
    def retry_after(self) -> float | None:
        from ._retry import parse_retry_after

        return parse_retry_after(self.headers.get("retry-after"))


class ServerError(ApiError):
    """5xx: a bug or an outage on the server's side."""


class ServiceUnavailableError(ServerError):
    """503 after the retries ran out."""


_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequestError,
    401: UnauthorizedError,
    403: ForbiddenError,
    404: NotFoundError,
    409: ConflictError,
    412: PreconditionFailedError,
    413: PayloadTooLargeError,
    422: ValidationError,
    429: RateLimitedError,
    503: ServiceUnavailableError,
}
