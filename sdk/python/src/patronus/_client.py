from __future__ import annotations

import os
from types import ModuleType, TracebackType
from typing import Any

import httpx

from . import __version__
from ._resources import (
    ApiTokens,
    Applications,
    AuditEvents,
    Links,
    Peerings,
    Policies,
    QosClasses,
    SiteBgpResource,
    Sites,
    Tenants,
    IdentityProviderResource,
    TopologyResource,
    Users,
)
from ._retry import RetryPolicy, RetryTransport
from .errors import ApiError, ConfigurationError
from .generated.api.auth import auth_whoami
from .generated.api.fleet import fleet_status
from .generated.client import AuthenticatedClient
from .generated.models import FleetStatus
from .generated.types import UNSET


class Client:
    """A client of the Patronus API.

    ``url`` and ``token`` default to the environment variables ``PATRONUS_URL`` and
    ``PATRONUS_TOKEN``. The token is a tenant API token (``ptrn_api_...``), an access token from
    ``/v1/auth/login``, or for :attr:`tenants` a platform token (``ptrn_plat_...``).

    Requests that get 429 or 503 are retried as :class:`RetryPolicy` says (``retry``, or
    ``max_retries``); ``transport`` replaces the httpx transport underneath the retries (tests,
    proxies). Use it as a context manager, or call :meth:`close`.

    Everything the spec offers is also reachable through :attr:`generated`, the
    ``AuthenticatedClient`` of :mod:`patronus.generated`, with the same retries and headers::

        from patronus.generated.api.sites import sites_get
        sites_get.sync_detailed(id, client=client.generated)
    """

    def __init__(
        self,
        url: str | None = None,
        token: str | None = None,
        *,
        timeout: float = 30.0,
        max_retries: int | None = None,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        url = url or os.environ.get("PATRONUS_URL")
        token = token or os.environ.get("PATRONUS_TOKEN")
        if not url:
            raise ConfigurationError("no API URL: pass url= or set PATRONUS_URL")
        if not token:
            raise ConfigurationError("no API token: pass token= or set PATRONUS_TOKEN")
        self.url = url.rstrip("/")
        self.retry = retry or RetryPolicy()
        if max_retries is not None:
            self.retry.max_retries = max_retries
        self._http = httpx.Client(
            base_url=self.url,
            timeout=timeout,
            headers={
                "Authorization": f"Bearer {token}",
                "User-Agent": f"patronus-python/{__version__}",
                "Accept": "application/json, application/problem+json",
                **(headers or {}),
            },
            transport=RetryTransport(transport or httpx.HTTPTransport(), self.retry),
        )
        self.generated = AuthenticatedClient(base_url=self.url, token=token).set_httpx_client(self._http)

        self.sites = Sites(self)
        self.links = Links(self)
        self.qos_classes = QosClasses(self)
        self.applications = Applications(self)
        self.policies = Policies(self)
        self.peerings = Peerings(self)
        self.topology = TopologyResource(self)
        self.identity_provider = IdentityProviderResource(self)
        self.site_bgp = SiteBgpResource(self)
        self.users = Users(self)
        self.api_tokens = ApiTokens(self)
        self.audit_events = AuditEvents(self)
        self.tenants = Tenants(self)

    @classmethod
    def from_env(cls, **kwargs: Any) -> Client:
        """The client that ``PATRONUS_URL`` and ``PATRONUS_TOKEN`` describe."""
        return cls(**kwargs)

    def whoami(self) -> Any:
        """Who the token belongs to (a tenant API token, a user, or a platform token)."""
        return self._call(auth_whoami)

    def fleet_status(self) -> FleetStatus:
        """The tenant's fleet at a glance: its sites counted by health (``health.online``, ...),
        the sites needing attention (at most 100, worst first) and the 20 newest path changes
        (``recent_failovers``, with the names of the sites they mention in ``site_names``)."""
        result: FleetStatus = self._call(fleet_status)
        return result

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"patronus.Client(url={self.url!r})"

    def _call(self, operation: ModuleType, *, idempotency_key: str | None = None, **args: Any) -> Any:
        """Sends the request a generated operation module describes; the parsed success body,
        or a typed :class:`ApiError`."""
        kwargs = operation._get_kwargs(**{k: (UNSET if v is None else v) for k, v in args.items()})
        if idempotency_key is not None:
            kwargs["headers"] = {**kwargs.get("headers", {}), "Idempotency-Key": idempotency_key}
        response = self._http.request(**kwargs)
        if response.status_code >= 400:
            raise ApiError.from_response(response)
        if response.status_code == 204:
            return None
        return operation._parse_response(client=self.generated, response=response)
