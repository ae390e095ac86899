"""The suite runs against a live server: scripts/test-sdks starts one (and a second one with a
rate limit of 2 requests/s) and sets PATRONUS_URL, PATRONUS_TOKEN and PATRONUS_TEST_LIMITED_URL."""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest

import patronus

if not os.environ.get("PATRONUS_URL") or not os.environ.get("PATRONUS_TOKEN"):
    pytest.exit("PATRONUS_URL and PATRONUS_TOKEN are not set: run scripts/test-sdks", returncode=2)

_prefixes = itertools.count(1)


def lan_prefix() -> str:
    """A LAN prefix no other site of this run uses (they may not overlap within a tenant)."""
    n = next(_prefixes) + 100 * (os.getpid() % 100)
    return f"10.{n // 256}.{n % 256}.0/24"


def unique(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}"


@dataclass
class Attempt:
    method: str
    path: str
    status: int
    idempotency_key: str | None
    replayed: bool


@dataclass
class Recorder(httpx.BaseTransport):
    """Sits under the client's retries and records every attempt that reaches the wire. With
    ``lose_first_post`` it sends the first POST on but answers the client with a 503, as if the
    response had been lost on the way back."""

    inner: httpx.BaseTransport = field(default_factory=httpx.HTTPTransport)
    lose_first_post: bool = False
    attempts: list[Attempt] = field(default_factory=list)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        response.read()
        self.attempts.append(
            Attempt(
                method=request.method,
                path=request.url.path,
                status=response.status_code,
                idempotency_key=request.headers.get("idempotency-key"),
                replayed=response.headers.get("idempotent-replayed") == "true",
            )
        )
        if self.lose_first_post and request.method == "POST":
            self.lose_first_post = False
            return httpx.Response(
                503,
                headers={"Retry-After": "0", "Content-Type": "application/problem+json"},
                json={"type": "about:blank", "title": "Service Unavailable", "status": 503},
            )
        return response


@pytest.fixture
def client() -> Iterator[patronus.Client]:
    with patronus.Client() as c:
        yield c


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def limited_client(recorder: Recorder) -> Iterator[patronus.Client]:
    url = os.environ.get("PATRONUS_TEST_LIMITED_URL")
    if not url:
        pytest.fail("PATRONUS_TEST_LIMITED_URL is not set: run the suite through scripts/test-sdks")
    with patronus.Client(url=url, transport=recorder) as c:
        yield c
