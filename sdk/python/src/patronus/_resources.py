"""One class per API resource, on top of the generated request functions in
:mod:`patronus.generated.api`. Every method returns typed models from :mod:`patronus.models`
(attrs classes generated from the spec) and raises a typed :class:`patronus.ApiError`."""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any, Generic, TypeVar
from uuid import UUID

from .generated.api.api_tokens import (
    api_tokens_create,
    api_tokens_delete,
    api_tokens_get,
    api_tokens_list,
    api_tokens_update,
)
from .generated.api.applications import (
    applications_create,
    applications_delete,
    applications_get,
    applications_list,
    applications_update,
)
from .generated.api.audit import audit_list
from .generated.api.links import links_create, links_delete, links_get, links_list, links_update
from .generated.api.paths import paths_current, paths_failover_events, paths_history
from .generated.api.peerings import (
    peerings_create,
    peerings_delete,
    peerings_get,
    peerings_list,
    peerings_update,
)
from .generated.api.policies import (
    policies_create,
    policies_delete,
    policies_get,
    policies_list,
    policies_update,
)
from .generated.api.qos_classes import (
    qos_classes_create,
    qos_classes_delete,
    qos_classes_get,
    qos_classes_list,
    qos_classes_update,
)
from .generated.api.sites import (
    sites_config,
    sites_create,
    sites_delete,
    sites_get,
    sites_list,
    sites_update,
)
from .generated.api.tenants import (
    tenants_create,
    tenants_create_tenant_token,
    tenants_delete,
    tenants_get,
    tenants_list,
    tenants_update,
)
from .generated.api.identity_provider import identity_provider_delete, identity_provider_get, identity_provider_put
from .generated.api.bgp import bgp_delete, bgp_get, bgp_list_routes, bgp_put
from .generated.api.topology import topology_get, topology_put
from .generated.api.users import users_create, users_delete, users_get, users_list, users_update
from .generated.models import (
    ApiToken,
    ApiTokenCreated,
    ApiTokenUpdate,
    AuditEvent,
    CompiledConfig,
    IdentityProvider,
    IdentityProviderSpec,
    FailoverEventRecord,
    LearnedRoute,
    LearnedRouteState,
    Link,
    LinkUpdate,
    NewApiToken,
    NewLink,
    NewPeering,
    NewPolicy,
    NewQosClass,
    NewSite,
    NewTenant,
    NewTenantApplication,
    NewUser,
    PathHistory,
    Peering,
    PeeringUpdate,
    Policy,
    PolicyUpdate,
    QosClass,
    QosClassUpdate,
    Site,
    SiteBgp,
    SiteBgpSpec,
    SitePaths,
    SiteUpdate,
    Tenant,
    TenantApplication,
    TenantApplicationUpdate,
    TenantUpdate,
    Topology,
    TopologySpec,
    User,
    UserUpdate,
)

if TYPE_CHECKING:
    from ._client import Client

M = TypeVar("M")  # the resource as read
N = TypeVar("N")  # its creation body
U = TypeVar("U")  # its PATCH body

Id = UUID | str


@dataclass(frozen=True)
class Page(Generic[M]):
    """One page of a list; pass ``next_cursor`` back as ``cursor`` for the next one."""

    items: list[M]
    next_cursor: str | None


def _model(cls: type[Any], value: Any) -> Any:
    """Accept a generated model or a plain mapping (as Ansible modules hold them)."""
    if isinstance(value, cls):
        return value
    if isinstance(value, Mapping):
        return cls.from_dict(dict(value))
    raise TypeError(f"expected {cls.__name__} or a mapping, got {type(value).__name__}")


def _filters(**filters: Any) -> dict[str, Any]:
    return {k: v for k, v in filters.items() if v is not None}


class _Resource:
    def __init__(self, client: Client) -> None:
        self._client = client


class _Crud(_Resource, Generic[M, N, U]):
    _list: ModuleType
    _get: ModuleType
    _create: ModuleType
    _update: ModuleType
    _delete: ModuleType
    _new_model: type[Any]
    _update_model: type[Any]

    def get(self, id: Id) -> M:
        """The object with this id; :class:`~patronus.NotFoundError` when there is none."""
        result: M = self._client._call(self._get, id=id)
        return result

    def create(self, body: N | Mapping[str, Any], *, idempotency_key: str | None = None) -> M:
        """Creates an object. The POST carries an Idempotency-Key (``idempotency_key``, or a fresh
        one), so the client's retries never create it twice."""
        result: M = self._client._call(
            self._create, body=_model(self._new_model, body), idempotency_key=idempotency_key
        )
        return result

    def update(self, id: Id, patch: U | Mapping[str, Any], *, if_match: str | None = None) -> M:
        """PATCHes an object: absent fields keep their value. With ``if_match`` (an ``etag`` read
        earlier) the server refuses the change with :class:`~patronus.PreconditionFailedError`
        when the object changed since."""
        result: M = self._client._call(self._update, id=id, body=_model(self._update_model, patch), if_match=if_match)
        return result

    def delete(self, id: Id, *, if_match: str | None = None) -> None:
        """Deletes an object; :class:`~patronus.NotFoundError` when it is already gone."""
        self._client._call(self._delete, id=id, if_match=if_match)

    def list_page(self, *, cursor: str | None = None, limit: int | None = None, **filters: Any) -> Page[M]:
        """One page of the list (``limit`` 1 to 500, default 100)."""
        page = self._client._call(self._list, cursor=cursor, limit=limit, **_filters(**filters))
        next_cursor = page.next_cursor if isinstance(page.next_cursor, str) else None
        return Page(items=list(page.items), next_cursor=next_cursor)

    def _iterate(self, page_size: int | None, filters: dict[str, Any]) -> Iterator[M]:
        cursor: str | None = None
        while True:
            page = self.list_page(cursor=cursor, limit=page_size, **filters)
            yield from page.items
            if not page.next_cursor:
                return
            cursor = page.next_cursor

    def _lookup(self, **filters: Any) -> M | None:
        page = self.list_page(limit=1, **filters)
        return page.items[0] if page.items else None


class Sites(_Crud[Site, NewSite, SiteUpdate]):
    """``/v1/sites``: the tenant's sites."""

    _list, _get, _create, _update, _delete = sites_list, sites_get, sites_create, sites_update, sites_delete
    _new_model, _update_model = NewSite, SiteUpdate

    def list(
        self,
        *,
        name: str | None = None,
        role: str | None = None,
        label: str | None = None,
        page_size: int | None = None,
    ) -> Iterator[Site]:
        """Every site (``label`` is ``key=value``), fetched page by page as the iterator advances."""
        return self._iterate(page_size, _filters(name=name, role=role, label=label))

    def lookup_by_name(self, name: str) -> Site | None:
        return self._lookup(name=name)

    def config(self, id: Id) -> CompiledConfig:
        """The compiled document the site's agent receives, with its content hash and revision."""
        result: CompiledConfig = self._client._call(sites_config, id=id)
        return result

    # Path health: what the site's agent measures on each path (a local link towards one endpoint
    # of a peer) and reports. A site whose agent never reported has no paths, history or events.

    def paths(self, id: Id) -> SitePaths:
        """Every path of the site as its agent last reported it, by peer then link: ``up``,
        ``active`` (unclassified traffic uses it), ``rtt_ms``, ``jitter_ms``, ``loss_percent``.
        ``reported_at`` is ``None`` and ``paths`` empty before the first report;
        :class:`~patronus.NotFoundError` when there is no such site."""
        result: SitePaths = self._client._call(paths_current, id=id)
        return result

    def path_history(
        self,
        id: Id,
        *,
        from_: datetime.datetime | None = None,
        to: datetime.datetime | None = None,
        step: int | None = None,
        peer_site_id: Id | None = None,
        link: str | None = None,
    ) -> PathHistory:
        """Per path, the mean RTT, jitter and loss and the share of samples in which it was up, in
        intervals of ``step`` seconds (a multiple of 60 up to 86400; 60 when absent) between
        ``from_`` (an hour before ``to`` when absent) and ``to`` (now when absent); intervals
        without samples are left out. Give timezone-aware datetimes. One-minute samples are kept
        two days and hourly ones 30 days; a step or window the server refuses raises
        :class:`~patronus.ValidationError` naming the parameter (``/query/step``)."""
        result: PathHistory = self._client._call(
            paths_history,
            id=id,
            from_=from_,
            to=to,
            step=step,
            peer_site_id=peer_site_id,
            link=link,
        )
        return result

    def failover_events_page(
        self,
        id: Id,
        *,
        cursor: str | None = None,
        limit: int | None = None,
        peer_site_id: Id | None = None,
        policy: str | None = None,
        since: datetime.datetime | None = None,
        until: datetime.datetime | None = None,
    ) -> Page[FailoverEventRecord]:
        """One page (``limit`` 1 to 500, default 100) of the path changes the site's agent reported
        (kept 30 days), in the order the server received them."""
        page = self._client._call(
            paths_failover_events,
            id=id,
            cursor=cursor,
            limit=limit,
            peer_site_id=peer_site_id,
            policy=policy,
            since=since,
            until=until,
        )
        next_cursor = page.next_cursor if isinstance(page.next_cursor, str) else None
        return Page(items=list(page.items), next_cursor=next_cursor)

    def failover_events(
        self,
        id: Id,
        *,
        peer_site_id: Id | None = None,
        policy: str | None = None,
        since: datetime.datetime | None = None,
        until: datetime.datetime | None = None,
        page_size: int | None = None,
    ) -> Iterator[FailoverEventRecord]:
        """Every path change of the site that matches the filters, oldest first, fetched page by
        page as the iterator advances."""
        cursor: str | None = None
        while True:
            page = self.failover_events_page(
                id,
                cursor=cursor,
                limit=page_size,
                peer_site_id=peer_site_id,
                policy=policy,
                since=since,
                until=until,
            )
            yield from page.items
            if not page.next_cursor:
                return
            cursor = page.next_cursor


class Links(_Crud[Link, NewLink, LinkUpdate]):
    """``/v1/links``: WAN links of sites. ``{"endpoint": None}`` in an update removes the endpoint."""

    _list, _get, _create, _update, _delete = links_list, links_get, links_create, links_update, links_delete
    _new_model, _update_model = NewLink, LinkUpdate

    def list(
        self, *, site_id: Id | None = None, name: str | None = None, page_size: int | None = None
    ) -> Iterator[Link]:
        return self._iterate(page_size, _filters(site_id=site_id, name=name))

    def lookup_by_name(self, site_id: Id, name: str) -> Link | None:
        """Link names are unique within their site."""
        return self._lookup(site_id=site_id, name=name)


class QosClasses(_Crud[QosClass, NewQosClass, QosClassUpdate]):
    """``/v1/qos-classes``."""

    _list, _get, _create, _update, _delete = (
        qos_classes_list,
        qos_classes_get,
        qos_classes_create,
        qos_classes_update,
        qos_classes_delete,
    )
    _new_model, _update_model = NewQosClass, QosClassUpdate

    def list(self, *, name: str | None = None, page_size: int | None = None) -> Iterator[QosClass]:
        return self._iterate(page_size, _filters(name=name))

    def lookup_by_name(self, name: str) -> QosClass | None:
        return self._lookup(name=name)



class Applications(_Crud[TenantApplication, NewTenantApplication, TenantApplicationUpdate]):
    """``/v1/applications``: the tenant's own applications, which policies match by name
    (``match.application``) beside the built-in catalogue."""

    _list, _get, _create, _update, _delete = (
        applications_list,
        applications_get,
        applications_create,
        applications_update,
        applications_delete,
    )
    _new_model, _update_model = NewTenantApplication, TenantApplicationUpdate

    def list(
        self, *, name: str | None = None, category: str | None = None, page_size: int | None = None
    ) -> Iterator[TenantApplication]:
        return self._iterate(page_size, _filters(name=name, category=category))

    def lookup_by_name(self, name: str) -> TenantApplication | None:
        """The tenant's application with this name (built-in applications are never found)."""
        return self._lookup(name=name)


class Policies(_Crud[Policy, NewPolicy, PolicyUpdate]):
    """``/v1/policies``."""

    _list, _get, _create, _update, _delete = (
        policies_list,
        policies_get,
        policies_create,
        policies_update,
        policies_delete,
    )
    _new_model, _update_model = NewPolicy, PolicyUpdate

    def list(self, *, name: str | None = None, page_size: int | None = None) -> Iterator[Policy]:
        return self._iterate(page_size, _filters(name=name))

    def lookup_by_name(self, name: str) -> Policy | None:
        return self._lookup(name=name)


class Peerings(_Crud[Peering, NewPeering, PeeringUpdate]):
    """``/v1/peerings``: explicit site pairs, on top of the topology mode."""

    _list, _get, _create, _update, _delete = (
        peerings_list,
        peerings_get,
        peerings_create,
        peerings_update,
        peerings_delete,
    )
    _new_model, _update_model = NewPeering, PeeringUpdate

    def list(
        self, *, name: str | None = None, site_id: Id | None = None, page_size: int | None = None
    ) -> Iterator[Peering]:
        return self._iterate(page_size, _filters(name=name, site_id=site_id))

    def lookup_by_name(self, name: str) -> Peering | None:
        return self._lookup(name=name)


class Users(_Crud[User, NewUser, UserUpdate]):
    """``/v1/users`` (admin)."""

    _list, _get, _create, _update, _delete = users_list, users_get, users_create, users_update, users_delete
    _new_model, _update_model = NewUser, UserUpdate

    def list(
        self, *, email: str | None = None, role: str | None = None, page_size: int | None = None
    ) -> Iterator[User]:
        return self._iterate(page_size, _filters(email=email, role=role))

    def lookup_by_email(self, email: str) -> User | None:
        return self._lookup(email=email)


class ApiTokens(_Crud[ApiToken, NewApiToken, ApiTokenUpdate]):
    """``/v1/api-tokens`` (admin). ``create`` returns the secret once, in ``token``."""

    _list, _get, _create, _update, _delete = (
        api_tokens_list,
        api_tokens_get,
        api_tokens_create,
        api_tokens_update,
        api_tokens_delete,
    )
    _new_model, _update_model = NewApiToken, ApiTokenUpdate

    def create(  # type: ignore[override]
        self, body: NewApiToken | Mapping[str, Any], *, idempotency_key: str | None = None
    ) -> ApiTokenCreated:
        result: ApiTokenCreated = self._client._call(self._create, body=_model(NewApiToken, body), idempotency_key=idempotency_key)
        return result

    def list(self, *, name: str | None = None, page_size: int | None = None) -> Iterator[ApiToken]:
        return self._iterate(page_size, _filters(name=name))

    def lookup_by_name(self, name: str) -> ApiToken | None:
        return self._lookup(name=name)


class Tenants(_Crud[Tenant, NewTenant, TenantUpdate]):
    """``/v1/tenants`` (platform token)."""

    _list, _get, _create, _update, _delete = (
        tenants_list,
        tenants_get,
        tenants_create,
        tenants_update,
        tenants_delete,
    )
    _new_model, _update_model = NewTenant, TenantUpdate

    def list(
        self, *, name: str | None = None, slug: str | None = None, page_size: int | None = None
    ) -> Iterator[Tenant]:
        return self._iterate(page_size, _filters(name=name, slug=slug))

    def lookup_by_slug(self, slug: str) -> Tenant | None:
        return self._lookup(slug=slug)

    def create_api_token(
        self, tenant_id: Id, body: NewApiToken | Mapping[str, Any], *, idempotency_key: str | None = None
    ) -> ApiTokenCreated:
        """A tenant's first API token, made with the platform token."""
        result: ApiTokenCreated = self._client._call(
            tenants_create_tenant_token,
            id=tenant_id,
            body=_model(NewApiToken, body),
            idempotency_key=idempotency_key,
        )
        return result


class TopologyResource(_Resource):
    """``/v1/topology``: one per tenant."""

    def get(self) -> Topology:
        result: Topology = self._client._call(topology_get)
        return result

    def put(self, spec: TopologySpec | Mapping[str, Any], *, if_match: str | None = None) -> Topology:
        """Replaces the topology settings; absent fields take their defaults."""
        result: Topology = self._client._call(topology_put, body=_model(TopologySpec, spec), if_match=if_match)
        return result


class SiteBgpResource(_Resource):
    """``/v1/sites/{id}/bgp``: one per site (the site's agent runs it with FRR), and
    the routes the site's agent learned (``/v1/sites/{id}/bgp/routes``)."""

    def get(self, site_id: Id) -> SiteBgp:
        """A site's BGP settings; :class:`~patronus.NotFoundError` when it has none."""
        result: SiteBgp = self._client._call(bgp_get, id=site_id)
        return result

    def put(self, site_id: Id, spec: SiteBgpSpec | Mapping[str, Any], *, if_match: str | None = None) -> SiteBgp:
        """Replaces a site's BGP settings (creating them when it has none). A neighbour given
        without ``password`` keeps its stored one; ``""`` removes it."""
        result: SiteBgp = self._client._call(bgp_put, id=site_id, body=_model(SiteBgpSpec, spec), if_match=if_match)
        return result

    def delete(self, site_id: Id, *, if_match: str | None = None) -> None:
        """Removes a site's BGP settings; :class:`~patronus.NotFoundError` when it has none."""
        self._client._call(bgp_delete, id=site_id, if_match=if_match)

    def routes_page(
        self,
        site_id: Id,
        *,
        cursor: str | None = None,
        limit: int | None = None,
        state: LearnedRouteState | None = None,
        neighbor: str | None = None,
        prefix: str | None = None,
    ) -> Page[LearnedRoute]:
        """One page (``limit`` 1 to 500, default 100) of the routes the site's agent learned, in
        the order they were first reported, each with the server's decision: ``accepted``,
        ``refused`` (with ``reason`` and ``conflicting_site_id``) or ``not_imported``."""
        page = self._client._call(
            bgp_list_routes,
            id=site_id,
            cursor=cursor,
            limit=limit,
            state=state,
            neighbor=neighbor,
            prefix=prefix,
        )
        next_cursor = page.next_cursor if isinstance(page.next_cursor, str) else None
        return Page(items=list(page.items), next_cursor=next_cursor)

    def routes(
        self,
        site_id: Id,
        *,
        state: LearnedRouteState | None = None,
        neighbor: str | None = None,
        prefix: str | None = None,
        page_size: int | None = None,
    ) -> Iterator[LearnedRoute]:
        """Every learned route of the site that matches the filters, fetched page by page as the
        iterator advances."""
        cursor: str | None = None
        while True:
            page = self.routes_page(
                site_id, cursor=cursor, limit=page_size, state=state, neighbor=neighbor, prefix=prefix
            )
            yield from page.items
            if not page.next_cursor:
                return
            cursor = page.next_cursor


class IdentityProviderResource(_Resource):
    """``/v1/identity-provider``: the tenant's single sign-on (OIDC), one per tenant, for admins.
    The client secret is write-only: ``client_secret_set`` tells whether one is stored."""

    def get(self) -> IdentityProvider:
        """The provider; :class:`~patronus.NotFoundError` when the tenant has none."""
        result: IdentityProvider = self._client._call(identity_provider_get)
        return result

    def put(self, spec: IdentityProviderSpec | Mapping[str, Any], *, if_match: str | None = None) -> IdentityProvider:
        """Creates or replaces the provider; a ``client_secret`` left out keeps the stored one."""
        result: IdentityProvider = self._client._call(
            identity_provider_put, body=_model(IdentityProviderSpec, spec), if_match=if_match
        )
        return result

    def delete(self, *, if_match: str | None = None) -> None:
        """Removes the provider: SSO ends, password login is open to everyone again."""
        self._client._call(identity_provider_delete, if_match=if_match)


class AuditEvents(_Resource):
    """``/v1/audit-events``: read-only."""

    def list(
        self,
        *,
        action: str | None = None,
        resource_type: str | None = None,
        resource_id: Id | None = None,
        actor_id: Id | None = None,
        since: datetime.datetime | None = None,
        until: datetime.datetime | None = None,
        page_size: int | None = None,
    ) -> Iterator[AuditEvent]:
        filters = _filters(
            action=action,
            resource_type=resource_type,
            resource_id=resource_id,
            actor_id=actor_id,
            since=since,
            until=until,
        )
        cursor: str | None = None
        while True:
            page = self._client._call(audit_list, cursor=cursor, limit=page_size, **filters)
            yield from page.items
            cursor = page.next_cursor if isinstance(page.next_cursor, str) else None
            if not cursor:
                return
