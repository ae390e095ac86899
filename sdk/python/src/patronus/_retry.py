"""Retries with backoff, as an httpx transport under every request the client sends.

- 429 and 503 are retried, waiting what ``Retry-After`` says (seconds or an HTTP date), or else an
  exponential backoff with full jitter; a connection that could not be opened is retried too.
- Every POST carries an ``Idempotency-Key`` (a fresh UUID unless the caller set one), the same on
  every attempt, so a retried POST whose first attempt did reach the server is answered with the
  first response (``Idempotent-Replayed: true``) and never creates twice.
"""

from __future__ import annotations

import email.utils
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

RETRY_STATUSES = frozenset({429, 503})


@dataclass
class RetryPolicy:
    """How the client retries. ``max_retries=0`` turns retries off."""

    max_retries: int = 5
    """Attempts after the first one."""
    backoff_base: float = 0.5
    """Seconds; attempt *n* waits up to ``backoff_base * 2**n`` when the server gives no Retry-After."""
    backoff_max: float = 30.0
    """No single wait is longer than this, whatever Retry-After says."""
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)

    def delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.backoff_max)
        return random.uniform(0, min(self.backoff_base * (2**attempt), self.backoff_max))


def parse_retry_after(value: str | None) -> float | None:
    """``Retry-After`` as seconds from now: delta-seconds or an HTTP date (RFC 9110)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - time.time(), 0.0)


class RetryTransport(httpx.BaseTransport):
    def __init__(self, inner: httpx.BaseTransport, policy: RetryPolicy) -> None:
        self._inner = inner
        self._policy = policy

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and "idempotency-key" not in request.headers:
            request.headers["Idempotency-Key"] = str(uuid.uuid4())
        request.read()  # the body is sent again on a retry
        attempt = 0
        while True:
            try:
                response = self._inner.handle_request(request)
            except httpx.ConnectError:
                if attempt >= self._policy.max_retries:
                    raise
                self._policy.sleep(self._policy.delay(attempt, None))
                attempt += 1
                continue
            if response.status_code not in RETRY_STATUSES or attempt >= self._policy.max_retries:
                return response
            retry_after = parse_retry_after(response.headers.get("retry-after"))
            response.read()
            response.close()
            self._policy.sleep(self._policy.delay(attempt, retry_after))
            attempt += 1

    def close(self) -> None:
        self._inner.close()
