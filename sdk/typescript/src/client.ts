import createClient from "openapi-fetch";

import { ConfigurationError } from "./errors.js";
import type { FleetStatus, Whoami } from "./generated/schema.js";
import {
  ApiTokens,
  Applications,
  AuditEvents,
  Links,
  Peerings,
  Policies,
  QosClasses,
  type Raw,
  SiteBgpResource,
  Sites,
  Tenants,
  TopologyResource,
  IdentityProviderResource,
  unwrap,
  Users,
} from "./resources.js";
import { defaultRetryPolicy, type Fetch, retryingFetch, type RetryPolicy } from "./retry.js";

export const VERSION = "0.1.0";

export interface ClientOptions {
  /** The API's base URL (default: `PATRONUS_URL` in Node). */
  url?: string;
  /** Bearer token (default: `PATRONUS_TOKEN` in Node): a tenant API token (`ptrn_api_...`), an
   * access token from `/v1/auth/login`, or a platform token for `tenants`. */
  token?: string;
  /** The fetch underneath the retries (default: the global fetch). */
  fetch?: Fetch;
  /** Changes to the retry policy (default: 5 retries, 0.5 s doubling, at most 30 s a wait). */
  retry?: Partial<RetryPolicy>;
  /** Headers for every request. */
  headers?: Record<string, string>;
}

function env(name: string): string | undefined {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return proc?.env?.[name] || undefined;
}

/**
 * A client of the Patronus API, for Node (20+) and browsers.
 *
 * ```ts
 * const client = new PatronusClient(); // PATRONUS_URL, PATRONUS_TOKEN
 * const site = await client.sites.create({ name: "berlin", lan_prefixes: ["10.1.0.0/16"] });
 * for await (const s of client.sites.list()) console.log(s.name);
 * ```
 *
 * Requests answered 429 or 503 are retried (honouring Retry-After); every POST carries an
 * Idempotency-Key. `raw` is the openapi-fetch client typed by the spec, for every other endpoint.
 */
export class PatronusClient {
  readonly url: string;
  readonly retry: RetryPolicy;
  /** The openapi-fetch client over the whole spec, with this client's token, headers and retries. */
  readonly raw: Raw;

  readonly sites: Sites;
  readonly links: Links;
  readonly qosClasses: QosClasses;
  /** The tenant's own applications, which policies match by name. */
  readonly applications: Applications;
  readonly policies: Policies;
  readonly peerings: Peerings;
  readonly topology: TopologyResource;
  /** The tenant's single sign-on (admins only). */
  readonly identityProvider: IdentityProviderResource;
  readonly siteBgp: SiteBgpResource;
  readonly users: Users;
  readonly apiTokens: ApiTokens;
  readonly auditEvents: AuditEvents;
  /** Needs a platform token. */
  readonly tenants: Tenants;

  constructor(options: ClientOptions = {}) {
    const url = options.url ?? env("PATRONUS_URL");
    const token = options.token ?? env("PATRONUS_TOKEN");
    if (!url) throw new ConfigurationError("no API URL: pass { url } or set PATRONUS_URL");
    if (!token) throw new ConfigurationError("no API token: pass { token } or set PATRONUS_TOKEN");
    this.url = url.replace(/\/+$/, "");
    this.retry = { ...defaultRetryPolicy, ...options.retry };
    const headers: Record<string, string> = {
      Authorization: `Bearer ${token}`,
      Accept: "application/json, application/problem+json",
      ...options.headers,
    };
    // Browsers refuse to let scripts set User-Agent; Node sends it.
    if (typeof (globalThis as { window?: unknown }).window === "undefined") {
      headers["User-Agent"] = `patronus-typescript/${VERSION}`;
    }
    this.raw = createClient({ baseUrl: this.url, headers, fetch: retryingFetch(this.retry, options.fetch) });

    this.sites = new Sites(this.raw);
    this.links = new Links(this.raw);
    this.qosClasses = new QosClasses(this.raw);
    this.applications = new Applications(this.raw);
    this.policies = new Policies(this.raw);
    this.peerings = new Peerings(this.raw);
    this.identityProvider = new IdentityProviderResource(this.raw);
    this.topology = new TopologyResource(this.raw);
    this.siteBgp = new SiteBgpResource(this.raw);
    this.users = new Users(this.raw);
    this.apiTokens = new ApiTokens(this.raw);
    this.auditEvents = new AuditEvents(this.raw);
    this.tenants = new Tenants(this.raw);
  }

  /** Who the token belongs to. */
  whoami(): Promise<Whoami> {
    return unwrap(this.raw.GET("/v1/auth/whoami"));
  }

  /** The tenant's fleet at a glance: its sites counted by health, the sites needing attention (at
   * most 100, worst first) and the 20 newest path changes (`recent_failovers`, with the names of
   * the sites they mention in `site_names`). Its ETag changes only with the answer: pass it as
   * `If-None-Match` through `raw` to poll for a 304. */
  fleetStatus(): Promise<FleetStatus> {
    return unwrap(this.raw.GET("/v1/fleet/status", {}));
  }
}
