import type { Client } from "openapi-fetch";

import { apiError } from "./errors.js";
import type {
  ApiToken,
  ApiTokenCreated,
  ApiTokenUpdate,
  AuditEvent,
  CompiledConfig,
  FailoverEventRecord,
  LearnedRoute,
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
  operations,
  PathHistory,
  paths,
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
  IdentityProvider,
  IdentityProviderSpec,
  User,
  UserUpdate,
} from "./generated/schema.js";

export type Raw = Client<paths>;

/** The filters of a list operation, without its `cursor` and `limit`. */
export type Filters<K extends keyof operations> = Omit<
  NonNullable<operations[K]["parameters"]["query"]>,
  "cursor" | "limit"
>;

/** The query of a path history: `from`, `to` (RFC 3339), `step` (seconds), `peer_site_id`, `link`. */
export type PathHistoryQuery = NonNullable<operations["paths_history"]["parameters"]["query"]>;

/** One page of a list; pass `nextCursor` back as `cursor` for the next one. */
export interface Page<T> {
  items: T[];
  nextCursor: string | undefined;
}

export interface CreateOptions {
  /** The POST's Idempotency-Key (default: a fresh UUID per call). */
  idempotencyKey?: string;
  signal?: AbortSignal;
}

export interface WriteOptions {
  /** The `etag` read earlier: the server refuses the change with a PreconditionFailedError when
   * the object changed since. */
  ifMatch?: string;
  signal?: AbortSignal;
}

export interface ListOptions {
  /** Page size, 1 to 500 (default 100). */
  pageSize?: number;
  signal?: AbortSignal;
}

interface Result<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The success body of an openapi-fetch call, or the typed error. */
export async function unwrap<T>(call: Promise<Result<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) throw apiError(response, error);
  return data as T;
}

function createHeaders(opts?: CreateOptions): Record<string, string> {
  return opts?.idempotencyKey ? { "Idempotency-Key": opts.idempotencyKey } : {};
}

interface CrudOps<T, N, U, Q> {
  get(id: string, signal?: AbortSignal): Promise<Result<T>>;
  create(body: N, headers: Record<string, string>, signal?: AbortSignal): Promise<Result<T>>;
  update(id: string, body: U, ifMatch: string | undefined, signal?: AbortSignal): Promise<Result<T>>;
  delete(id: string, ifMatch: string | undefined, signal?: AbortSignal): Promise<Result<unknown>>;
  list(
    query: Q & { cursor?: string; limit?: number },
    signal?: AbortSignal,
  ): Promise<Result<{ items: T[]; next_cursor?: string | null }>>;
}

/** get, create, update (If-Match), delete, listPage, list (async iterator), all. */
export class Crud<T, N, U, Q> {
  constructor(protected readonly ops: CrudOps<T, N, U, Q>) {}

  /** The object with this id; a NotFoundError when there is none. */
  get(id: string, opts?: { signal?: AbortSignal }): Promise<T> {
    return unwrap(this.ops.get(id, opts?.signal));
  }

  /** Creates an object. The POST carries an Idempotency-Key, so retries never create it twice. */
  create(body: N, opts?: CreateOptions): Promise<T> {
    return unwrap(this.ops.create(body, createHeaders(opts), opts?.signal));
  }

  /** PATCHes an object: absent fields keep their value, `null` clears a nullable one. */
  update(id: string, patch: U, opts?: WriteOptions): Promise<T> {
    return unwrap(this.ops.update(id, patch, opts?.ifMatch, opts?.signal));
  }

  /** Deletes an object; a NotFoundError when it is already gone. */
  async delete(id: string, opts?: WriteOptions): Promise<void> {
    await unwrap(this.ops.delete(id, opts?.ifMatch, opts?.signal));
  }

  /** One page of the list. */
  async listPage(
    filters?: Q,
    page?: { cursor?: string; limit?: number; signal?: AbortSignal },
  ): Promise<Page<T>> {
    const query = { ...(filters ?? ({} as Q)) } as Q & { cursor?: string; limit?: number };
    if (page?.cursor !== undefined) query.cursor = page.cursor;
    if (page?.limit !== undefined) query.limit = page.limit;
    const data = await unwrap(this.ops.list(query, page?.signal));
    return { items: data.items, nextCursor: data.next_cursor ?? undefined };
  }

  /** Every object that matches `filters`, fetched page by page as the loop advances:
   * `for await (const site of client.sites.list({ label: "env=prod" })) { ... }` */
  async *list(filters?: Q, opts?: ListOptions): AsyncGenerator<T, void, undefined> {
    let cursor: string | undefined;
    do {
      const page = await this.listPage(filters, { cursor, limit: opts?.pageSize, signal: opts?.signal });
      yield* page.items;
      cursor = page.nextCursor;
    } while (cursor);
  }

  /** What `list` yields, in an array. */
  async all(filters?: Q, opts?: ListOptions): Promise<T[]> {
    const out: T[] = [];
    for await (const item of this.list(filters, opts)) out.push(item);
    return out;
  }

  protected async lookup(filters: Q): Promise<T | undefined> {
    const page = await this.listPage(filters, { limit: 1 });
    return page.items[0];
  }
}

/** `/v1/sites`: the tenant's sites. */
export class Sites extends Crud<Site, NewSite, SiteUpdate, Filters<"sites_list">> {
  constructor(private readonly raw: Raw) {
    super({
      get: (id, signal) => raw.GET("/v1/sites/{id}", { params: { path: { id } }, signal }),
      create: (body, headers, signal) => raw.POST("/v1/sites", { body, headers, signal }),
      update: (id, body, ifMatch, signal) =>
        raw.PATCH("/v1/sites/{id}", { params: { path: { id }, header: { "If-Match": ifMatch } }, body, signal }),
      delete: (id, ifMatch, signal) =>
        raw.DELETE("/v1/sites/{id}", { params: { path: { id }, header: { "If-Match": ifMatch } }, signal }),
      list: (query, signal) => raw.GET("/v1/sites", { params: { query }, signal }),
    });
  }

  lookupByName(name: string): Promise<Site | undefined> {
    return this.lookup({ name });
  }

  /** The compiled document the site's agent receives, with its content hash and revision. */
  config(id: string, opts?: { signal?: AbortSignal }): Promise<CompiledConfig> {
    return unwrap(this.raw.GET("/v1/sites/{id}/config", { params: { path: { id } }, signal: opts?.signal }));
  }

  // Path health: what the site's agent measures on each path (a local link towards one endpoint of
  // a peer) and reports. A site whose agent never reported has no paths, history or events.

  /** Every path of the site as its agent last reported it, by peer then link: `up`, `active`
   * (unclassified traffic uses it), `rtt_ms`, `jitter_ms`, `loss_percent`. `reported_at` is absent
   * and `paths` empty before the first report; a NotFoundError when there is no such site. */
  paths(id: string, opts?: { signal?: AbortSignal }): Promise<SitePaths> {
    return unwrap(this.raw.GET("/v1/sites/{id}/paths", { params: { path: { id } }, signal: opts?.signal }));
  }

  /** Per path, the mean RTT, jitter and loss and the share of samples in which it was up, in
   * intervals of `step` seconds (a multiple of 60 up to 86400; 60 when absent) between `from` (an
   * hour before `to` when absent) and `to` (now when absent); intervals without samples are left
   * out. One-minute samples are kept two days and hourly ones 30 days; a step or window the server
   * refuses is a ValidationError naming the parameter (`/query/step`). */
  pathHistory(id: string, query?: PathHistoryQuery, opts?: { signal?: AbortSignal }): Promise<PathHistory> {
    return unwrap(
      this.raw.GET("/v1/sites/{id}/paths/history", { params: { path: { id }, query }, signal: opts?.signal }),
    );
  }

  /** One page of the path changes the site's agent reported (kept 30 days), in the order the
   * server received them. */
  async failoverEventsPage(
    id: string,
    filters?: Filters<"paths_failover_events">,
    page?: { cursor?: string; limit?: number; signal?: AbortSignal },
  ): Promise<Page<FailoverEventRecord>> {
    const data = await unwrap(
      this.raw.GET("/v1/sites/{id}/failover-events", {
        params: { path: { id }, query: { ...filters, cursor: page?.cursor, limit: page?.limit } },
        signal: page?.signal,
      }),
    );
    return { items: data.items, nextCursor: data.next_cursor ?? undefined };
  }

  /** Every path change of the site that matches `filters`, oldest first, fetched page by page as
   * the loop advances. */
  async *failoverEvents(
    id: string,
    filters?: Filters<"paths_failover_events">,
    opts?: ListOptions,
  ): AsyncGenerator<FailoverEventRecord, void, undefined> {
    let cursor: string | undefined;
    do {
      const page = await this.failoverEventsPage(id, filters, { cursor, limit: opts?.pageSize, signal: opts?.signal });
      yield* page.items;
      cursor = page.nextCursor;
    } while (cursor);
  }
}

/** `/v1/links`: WAN links of sites. `{ endpoint: null }` in an update removes the endpoint. */
export class Links extends Crud<Link, NewLink, LinkUpdate, Filters<"links_list">> {
  constructor(raw: Raw) {
    super({
      get: (id, signal) => raw.GET("/v1/links/{id}", { params: { path: { id } }, signal }),
      create: (body, headers, signal) => raw.POST("/v1/links", { body, headers, signal }),
      update: (id, body, ifMatch, signal) =>
        raw.PATCH("/v1/links/{id}", { params: { path: { id }, header: { "If-Match": ifMatch } }, body, signal }),
      delete: (id, ifMatch, signal) =>
        raw.DELETE("/v1/links/{id}", { params: { path: { id }, header: { "If-Match": ifMatch } }, signal }),
      list: (query, signal) => raw.GET("/v1/links", { params: { query }, signal }),
    });
  }

  /** Link names are unique within their site. */
  lookupByName(siteId: string, name: string): Promise<Link | undefined> {
    return this.lookup({ site_id: siteId, name });
  }
}

/** `/v1/qos-classes`. */
export class QosClasses extends Crud<QosClass, NewQosClass, QosClassUpdate, Filters<"qos_classes_list">> {
  constructor(raw: Raw) {
    super({
      get: (id, signal) => raw.GET("/v1/qos-classes/{id}", { params: { path: { id } }, signal }),
      create: (body, headers, signal) => raw.POST("/v1/qos-classes", { body, headers, signal }),
      update: (id, body, ifMatch, signal) =>
        raw.PATCH("/v1/qos-classes/{id}", {
          params: { path: { id }, header: { "If-Match": ifMatch } },
          body,
          signal,
        }),
      delete: (id, ifMatch, signal) =>
        raw.DELETE("/v1/qos-classes/{id}", { params: { path: { id }, header: { "If-Match": ifMatch } }, signal }),
      list: (query, signal) => raw.GET("/v1/qos-classes", { params: { query }, signal }),
    });
  }

  lookupByName(name: string): Promise<QosClass | undefined> {
    return this.lookup({ name });
  }
}

/** `/v1/policies`. */

/** `/v1/applications`: the tenant's own applications, which policies match by name (`match.application`) beside the built-in catalogue. */
export class Applications extends Crud<
  TenantApplication,
  NewTenantApplication,
  TenantApplicationUpdate,
  Filters<"applications_list">
> {
  constructor(raw: Raw) {
    super({
      get: (id, signal) => raw.GET("/v1/applications/{id}", { params: { path: { id } }, signal }),
      create: (body, headers, signal) => raw.POST("/v1/applications", { body, headers, signal }),
      update: (id, body, ifMatch, signal) =>
        raw.PATCH("/v1/applications/{id}", {
          params: { path: { id }, header: { "If-Match": ifMatch } },
          body,
          signal,
        }),
      delete: (id, ifMatch, signal) =>
        raw.DELETE("/v1/applications/{id}", { params: { path: { id }, header: { "If-Match": ifMatch } }, signal }),
      list: (query, signal) => raw.GET("/v1/applications", { params: { query }, signal }),
    });
  }

  /** The tenant's application with this name (built-in applications are never found). */
  lookupByName(name: string): Promise<TenantApplication | undefined> {
    return this.lookup({ name });
  }
}

export class Policies extends Crud<Policy, NewPolicy, PolicyUpdate, Filters<"policies_list">> {
  constructor(raw: Raw) {
    super({
      get: (id, signal) => raw.GET("/v1/policies/{id}", { params: { path: { id } }, signal }),
      create: (body, headers, signal) => raw.POST("/v1/policies", { body, headers, signal }),
      update: (id, body, ifMatch, signal) =>
        raw.PATCH("/v1/policies/{id}", { params: { path: { id }, header: { "If-Match": ifMatch } }, body, signal }),
      delete: (id, ifMatch, signal) =>
        raw.DELETE("/v1/policies/{id}", { params: { path: { id }, header: { "If-Match": ifMatch } }, signal }),
      list: (query, signal) => raw.GET("/v1/policies", { params: { query }, signal }),
    });
  }

  lookupByName(name: string): Promise<Policy | undefined> {
    return this.lookup({ name });
  }
}

/** `/v1/peerings`: explicit pairs of sites, on top of the topology mode. */
export class Peerings extends Crud<Peering, NewPeering, PeeringUpdate, Filters<"peerings_list">> {
  constructor(raw: Raw) {
    super({
      get: (id, signal) => raw.GET("/v1/peerings/{id}", { params: { path: { id } }, signal }),
      create: (body, headers, signal) => raw.POST("/v1/peerings", { body, headers, signal }),
      update: (id, body, ifMatch, signal) =>
        raw.PATCH("/v1/peerings/{id}", { params: { path: { id }, header: { "If-Match": ifMatch } }, body, signal }),
      delete: (id, ifMatch, signal) =>
        raw.DELETE("/v1/peerings/{id}", { params: { path: { id }, header: { "If-Match": ifMatch } }, signal }),
      list: (query, signal) => raw.GET("/v1/peerings", { params: { query }, signal }),
    });
  }

  lookupByName(name: string): Promise<Peering | undefined> {
    return this.lookup({ name });
  }
}

/** `/v1/users` (admin). */
export class Users extends Crud<User, NewUser, UserUpdate, Filters<"users_list">> {
  constructor(raw: Raw) {
    super({
      get: (id, signal) => raw.GET("/v1/users/{id}", { params: { path: { id } }, signal }),
      create: (body, headers, signal) => raw.POST("/v1/users", { body, headers, signal }),
      update: (id, body, ifMatch, signal) =>
        raw.PATCH("/v1/users/{id}", { params: { path: { id }, header: { "If-Match": ifMatch } }, body, signal }),
      delete: (id, ifMatch, signal) =>
        raw.DELETE("/v1/users/{id}", { params: { path: { id }, header: { "If-Match": ifMatch } }, signal }),
      list: (query, signal) => raw.GET("/v1/users", { params: { query }, signal }),
    });
  }

  lookupByEmail(email: string): Promise<User | undefined> {
    return this.lookup({ email });
  }
}

/** `/v1/api-tokens` (admin). `create` returns the secret once, in `token`. */
export class ApiTokens extends Crud<ApiToken, NewApiToken, ApiTokenUpdate, Filters<"api_tokens_list">> {
  constructor(raw: Raw) {
    super({
      get: (id, signal) => raw.GET("/v1/api-tokens/{id}", { params: { path: { id } }, signal }),
      create: (body, headers, signal) => raw.POST("/v1/api-tokens", { body, headers, signal }),
      update: (id, body, ifMatch, signal) =>
        raw.PATCH("/v1/api-tokens/{id}", {
          params: { path: { id }, header: { "If-Match": ifMatch } },
          body,
          signal,
        }),
      delete: (id, ifMatch, signal) =>
        raw.DELETE("/v1/api-tokens/{id}", { params: { path: { id }, header: { "If-Match": ifMatch } }, signal }),
      list: (query, signal) => raw.GET("/v1/api-tokens", { params: { query }, signal }),
    });
  }

  override create(body: NewApiToken, opts?: CreateOptions): Promise<ApiTokenCreated> {
    return super.create(body, opts) as Promise<ApiTokenCreated>;
  }

  lookupByName(name: string): Promise<ApiToken | undefined> {
    return this.lookup({ name });
  }
}

/** `/v1/tenants` (platform token). */
export class Tenants extends Crud<Tenant, NewTenant, TenantUpdate, Filters<"tenants_list">> {
  constructor(private readonly raw: Raw) {
    super({
      get: (id, signal) => raw.GET("/v1/tenants/{id}", { params: { path: { id } }, signal }),
      create: (body, headers, signal) => raw.POST("/v1/tenants", { body, headers, signal }),
      update: (id, body, ifMatch, signal) =>
        raw.PATCH("/v1/tenants/{id}", { params: { path: { id }, header: { "If-Match": ifMatch } }, body, signal }),
      delete: (id, ifMatch, signal) =>
        raw.DELETE("/v1/tenants/{id}", { params: { path: { id }, header: { "If-Match": ifMatch } }, signal }),
      list: (query, signal) => raw.GET("/v1/tenants", { params: { query }, signal }),
    });
  }

  lookupBySlug(slug: string): Promise<Tenant | undefined> {
    return this.lookup({ slug });
  }

  /** A tenant's first API token, made with the platform token. */
  createApiToken(tenantId: string, body: NewApiToken, opts?: CreateOptions): Promise<ApiTokenCreated> {
    return unwrap(
      this.raw.POST("/v1/tenants/{id}/api-tokens", {
        params: { path: { id: tenantId } },
        body,
        headers: createHeaders(opts),
        signal: opts?.signal,
      }),
    );
  }
}

/** `/v1/topology`: one per tenant. */
export class TopologyResource {
  constructor(private readonly raw: Raw) {}

  get(opts?: { signal?: AbortSignal }): Promise<Topology> {
    return unwrap(this.raw.GET("/v1/topology", { signal: opts?.signal }));
  }

  /** Replaces the topology settings; absent fields take their defaults. */
  put(spec: TopologySpec, opts?: WriteOptions): Promise<Topology> {
    return unwrap(
      this.raw.PUT("/v1/topology", {
        params: { header: { "If-Match": opts?.ifMatch } },
        body: spec,
        signal: opts?.signal,
      }),
    );
  }
}

/** `/v1/sites/{id}/bgp`: one per site (the site's agent runs it with FRR), and the
 * routes the site's agent learned (`/v1/sites/{id}/bgp/routes`). */
export class SiteBgpResource {
  constructor(private readonly raw: Raw) {}

  /** A site's BGP settings; a NotFoundError when it has none. */
  get(siteId: string, opts?: { signal?: AbortSignal }): Promise<SiteBgp> {
    return unwrap(this.raw.GET("/v1/sites/{id}/bgp", { params: { path: { id: siteId } }, signal: opts?.signal }));
  }

  /**
   * Replaces a site's BGP settings (creating them when it has none). A neighbour given without
   * `password` keeps its stored one; `""` removes it.
   */
  put(siteId: string, spec: SiteBgpSpec, opts?: WriteOptions): Promise<SiteBgp> {
    return unwrap(
      this.raw.PUT("/v1/sites/{id}/bgp", {
        params: { path: { id: siteId }, header: { "If-Match": opts?.ifMatch } },
        body: spec,
        signal: opts?.signal,
      }),
    );
  }

  /** Removes a site's BGP settings; a NotFoundError when it has none. */
  async delete(siteId: string, opts?: WriteOptions): Promise<void> {
    await unwrap(
      this.raw.DELETE("/v1/sites/{id}/bgp", {
        params: { path: { id: siteId }, header: { "If-Match": opts?.ifMatch } },
        signal: opts?.signal,
      }),
    );
  }

  /** One page of the routes the site's agent learned, in the order they were first reported,
   * each with the server's decision: `accepted`, `refused` (with `reason` and
   * `conflicting_site_id`) or `not_imported`. */
  async routesPage(
    siteId: string,
    filters?: Filters<"bgp_list_routes">,
    page?: { cursor?: string; limit?: number; signal?: AbortSignal },
  ): Promise<Page<LearnedRoute>> {
    const data = await unwrap(
      this.raw.GET("/v1/sites/{id}/bgp/routes", {
        params: { path: { id: siteId }, query: { ...filters, cursor: page?.cursor, limit: page?.limit } },
        signal: page?.signal,
      }),
    );
    return { items: data.items, nextCursor: data.next_cursor ?? undefined };
  }

  /** Every learned route of the site that matches `filters`, fetched page by page as the loop
   * advances. */
  async *routes(
    siteId: string,
    filters?: Filters<"bgp_list_routes">,
    opts?: ListOptions,
  ): AsyncGenerator<LearnedRoute, void, undefined> {
    let cursor: string | undefined;
    do {
      const page = await this.routesPage(siteId, filters, { cursor, limit: opts?.pageSize, signal: opts?.signal });
      yield* page.items;
      cursor = page.nextCursor;
    } while (cursor);
  }
}

/** `/v1/identity-provider`: the tenant's single sign-on (OIDC), one per tenant, for admins. The
 * client secret is write-only: `client_secret_set` tells whether one is stored. */
export class IdentityProviderResource {
  constructor(private readonly raw: Raw) {}

  /** The provider; a NotFoundError when the tenant has none. */
  get(opts?: { signal?: AbortSignal }): Promise<IdentityProvider> {
    return unwrap(this.raw.GET("/v1/identity-provider", { signal: opts?.signal }));
  }

  /** Creates or replaces the provider; a `client_secret` left out keeps the stored one. */
  put(spec: IdentityProviderSpec, opts?: WriteOptions): Promise<IdentityProvider> {
    return unwrap(
      this.raw.PUT("/v1/identity-provider", {
        params: { header: { "If-Match": opts?.ifMatch } },
        body: spec,
        signal: opts?.signal,
      }),
    );
  }

  /** Removes the provider: SSO ends, password login is open to everyone again. */
  async delete(opts?: WriteOptions): Promise<void> {
    await unwrap(
      this.raw.DELETE("/v1/identity-provider", {
        params: { header: { "If-Match": opts?.ifMatch } },
        signal: opts?.signal,
      }),
    );
  }
}

/** `/v1/audit-events`: read-only. */
export class AuditEvents {
  constructor(private readonly raw: Raw) {}

  async *list(filters?: Filters<"audit_list">, opts?: ListOptions): AsyncGenerator<AuditEvent, void, undefined> {
    let cursor: string | undefined;
    do {
      const page = await unwrap(
        this.raw.GET("/v1/audit-events", {
          params: { query: { ...filters, cursor, limit: opts?.pageSize } },
          signal: opts?.signal,
        }),
      );
      yield* page.items;
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
  }
}
