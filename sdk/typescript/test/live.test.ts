// These tests run against a live server: scripts/test-sdks starts one (and a second one limited
// to 2 requests/s) and sets PATRONUS_URL, PATRONUS_TOKEN and PATRONUS_TEST_LIMITED_URL.
import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { before, describe, test } from "node:test";

import {
  type AgentStatusReport,
  ApiError,
  ConfigurationError,
  ConflictError,
  type Fetch,
  type NewSite,
  NotFoundError,
  PatronusClient,
  PreconditionFailedError,
  type Site,
  UnauthorizedError,
  ValidationError,
} from "../src/index.js";

const env = process.env;
before(() => {
  if (!env.PATRONUS_URL || !env.PATRONUS_TOKEN) {
    throw new Error("PATRONUS_URL and PATRONUS_TOKEN are not set: run scripts/test-sdks");
  }
});

let prefixes = 0;
/** A LAN prefix no other site of this run uses (they may not overlap within a tenant). */
function lanPrefix(): string {
  const n = ++prefixes + 100 * (process.pid % 100);
  return `10.${Math.floor(n / 256)}.${n % 256}.0/24`;
}

const unique = (name: string) => `${name}-${randomUUID().slice(0, 8)}`;

function newSite(client: PatronusClient, body: Partial<NewSite> = {}): Promise<Site> {
  return client.sites.create({ name: unique("site"), lan_prefixes: [lanPrefix()], ...body });
}

interface Attempt {
  method: string;
  path: string;
  status: number;
  idempotencyKey: string | null;
  replayed: boolean;
}

/** A fetch under the client's retries that records every attempt. With `loseFirstPost` it sends
 * the first POST on but answers the client with a 503, as if the response had been lost. */
function recorder(opts: { loseFirstPost?: boolean } = {}): { fetch: Fetch; attempts: Attempt[] } {
  const attempts: Attempt[] = [];
  let lose = opts.loseFirstPost ?? false;
  const fetch: Fetch = async (request) => {
    const response = await globalThis.fetch(request);
    attempts.push({
      method: request.method,
      path: new URL(request.url).pathname,
      status: response.status,
      idempotencyKey: request.headers.get("Idempotency-Key"),
      replayed: response.headers.get("Idempotent-Replayed") === "true",
    });
    if (lose && request.method === "POST") {
      lose = false;
      await response.arrayBuffer();
      return new Response(JSON.stringify({ type: "about:blank", title: "Service Unavailable", status: 503 }), {
        status: 503,
        headers: { "Retry-After": "0", "Content-Type": "application/problem+json" },
      });
    }
    return response;
  };
  return { fetch, attempts };
}

/** Enrolls an agent for the site and posts one status report with its credential, as a
 * patronus-agent does. */
async function reportAsAgent(client: PatronusClient, siteId: string, report: AgentStatusReport): Promise<void> {
  const agent = await enrollAgent(client, siteId);
  const posted = await agent.raw.POST("/v1/agent/status", { body: report });
  assert.equal(posted.response.status, 204, JSON.stringify(posted.error));
}

/** Enrolls an agent for the site; the client it returns holds the agent credential. */
async function enrollAgent(client: PatronusClient, siteId: string): Promise<PatronusClient> {
  const token = await client.raw.POST("/v1/sites/{id}/enrollment-tokens", { params: { path: { id: siteId } }, body: {} });
  assert.ok(token.data, `enrollment token: ${token.response.status}`);
  const enrolled = await client.raw.POST("/v1/agent/enroll", {
    body: {
      token: token.data.token,
      public_key: randomBytes(32).toString("base64"),
      hostname: "edge-1",
      agent_version: "0.1.0",
    },
  });
  assert.ok(enrolled.data, `enroll: ${enrolled.response.status}`);
  return new PatronusClient({ token: enrolled.data.credential });
}

function limitedClient(fetch: Fetch): PatronusClient {
  const url = env.PATRONUS_TEST_LIMITED_URL;
  assert.ok(url, "PATRONUS_TEST_LIMITED_URL is not set");
  return new PatronusClient({ url, fetch });
}

describe("Patronus TypeScript SDK against a live server", () => {
  test("a site with two links: create, get, list, config, update with If-Match, delete", async () => {
    const client = new PatronusClient();
    const site = await client.sites.create({
      name: unique("berlin"),
      location: "Berlin",
      lan_prefixes: [lanPrefix()],
      labels: { env: "test" },
    });
    assert.equal(site.role, "edge");
    assert.ok(site.etag);
    const fiber = await client.links.create({
      site_id: site.id,
      name: "fiber",
      interface: "eth1",
      kind: "fiber",
      endpoint: "198.51.100.7:51820",
      bandwidth_up_mbps: 500,
      bandwidth_down_mbps: 1000,
    });
    const lte = await client.links.create({
      site_id: site.id,
      name: "lte",
      interface: "wwan0",
      kind: "lte",
      bandwidth_up_mbps: 20,
      bandwidth_down_mbps: 100,
      priority: 2,
    });
    assert.equal(fiber.endpoint, "198.51.100.7:51820");
    assert.equal(lte.endpoint ?? null, null);

    const got = await client.sites.get(site.id);
    assert.equal(got.name, site.name);
    assert.equal(got.etag, site.etag);
    const links = await client.links.all({ site_id: site.id });
    assert.deepEqual(links.map((l) => l.name).sort(), ["fiber", "lte"]);
    assert.equal((await client.links.lookupByName(site.id, "lte"))?.id, lte.id);

    const config = await client.sites.config(site.id);
    assert.equal(config.config.site_id, site.id);
    assert.deepEqual(config.config.links.map((l) => l.name).sort(), ["fiber", "lte"]);
    assert.equal(config.hash.length, 64);

    const updated = await client.sites.update(site.id, { location: "Berlin-Mitte" }, { ifMatch: site.etag });
    assert.equal(updated.location, "Berlin-Mitte");
    assert.notEqual(updated.etag, site.etag);

    // `endpoint: null` removes the endpoint; absent fields keep their value.
    const natted = await client.links.update(fiber.id, { endpoint: null }, { ifMatch: fiber.etag });
    assert.equal(natted.endpoint ?? null, null);
    assert.equal(natted.interface, "eth1");

    await client.sites.delete(site.id, { ifMatch: updated.etag });
    const err = await client.sites.get(site.id).catch((e: unknown) => e);
    assert.ok(err instanceof NotFoundError, String(err));
    assert.equal(err.status, 404);
    assert.equal(err.kind, "not-found");
    await assert.rejects(client.links.get(fiber.id), NotFoundError);
    await assert.rejects(client.sites.delete(site.id), NotFoundError);
  });

  test("a tenant application: create, look up, list by category, update with If-Match, named by a policy, delete", async () => {
    const client = new PatronusClient();
    const name = unique("crm");
    const app = await client.applications.create({
      name,
      category: "business",
      domains: [`${name}.example.com`],
      prefixes: ["2001:db8:7::/48", "203.0.113.0/24"],
      protocol: "tcp",
      ports: ["443"],
    });
    assert.equal(app.protocol, "tcp");
    assert.deepEqual(app.prefixes, ["203.0.113.0/24", "2001:db8:7::/48"]);
    assert.equal((await client.applications.lookupByName(name))?.id, app.id);
    assert.equal(await client.applications.lookupByName(unique("none")), undefined);
    assert.ok((await client.applications.all({ category: "business" })).some((a) => a.id === app.id));
    assert.ok(!(await client.applications.all({ category: "video" })).some((a) => a.id === app.id));

    const updated = await client.applications.update(app.id, { ports: ["8443"] }, { ifMatch: app.etag });
    assert.deepEqual(updated.ports, ["8443"]);
    await assert.rejects(
      client.applications.update(app.id, { description: "stale" }, { ifMatch: app.etag }),
      PreconditionFailedError,
    );
    const invalid = await client.applications
      .create({ name: "teams", category: "web", ports: ["1"] })
      .catch((e: unknown) => e);
    assert.ok(invalid instanceof ValidationError, String(invalid));
    assert.deepEqual(
      invalid.errors.map((e) => e.pointer),
      ["/name"],
    );

    const policy = await client.policies.create({
      name: unique("crm-policy"),
      priority: 900000 + Math.floor(Math.random() * 99999),
      match: { application: name },
      action: { path_selection: "lowest_latency" },
    });
    await assert.rejects(client.applications.delete(app.id), ConflictError);
    await client.policies.delete(policy.id);
    await client.applications.delete(app.id);
    await assert.rejects(client.applications.get(app.id), NotFoundError);
  });

  test("a stale ETag is a PreconditionFailedError", async () => {
    const client = new PatronusClient();
    const site = await newSite(client);
    await client.sites.update(site.id, { description: "first" }, { ifMatch: site.etag });
    const err = await client.sites.update(site.id, { description: "second" }, { ifMatch: site.etag }).catch((e) => e);
    assert.ok(err instanceof PreconditionFailedError, String(err));
    assert.equal(err.status, 412);
    assert.equal((await client.sites.get(site.id)).description, "first");
    await assert.rejects(client.sites.delete(site.id, { ifMatch: site.etag }), PreconditionFailedError);
    await client.sites.delete(site.id);
  });

  test("a site's BGP settings keep the write-only password across puts", async () => {
    const client = new PatronusClient();
    const site = await newSite(client);
    await assert.rejects(client.siteBgp.get(site.id), NotFoundError);
    const neighbor = (site.lan_prefixes[0] ?? "").replace("0/24", "2");
    const created = await client.siteBgp.put(site.id, {
      local_asn: 65001,
      neighbors: [{ address: neighbor, remote_asn: 4200000100, password: "md5-secret" }],
    });
    assert.equal(created.local_asn, 65001);
    assert.equal(created.neighbors[0]?.password_set, true);
    assert.ok(!JSON.stringify(created).includes("md5-secret"));
    const kept = await client.siteBgp.put(
      site.id,
      { local_asn: 65001, neighbors: [{ address: neighbor, remote_asn: 4200000100 }] },
      { ifMatch: created.etag },
    );
    assert.equal(kept.neighbors[0]?.password_set, true);
    assert.equal(kept.etag, created.etag);
    const err = await client.siteBgp.put(site.id, { local_asn: 0 }).catch((e: unknown) => e);
    assert.ok(err instanceof ValidationError, String(err));
    assert.deepEqual(
      err.errors.map((e) => e.pointer),
      ["/local_asn"],
    );
    await assert.rejects(client.siteBgp.delete(site.id, { ifMatch: '"999"' }), PreconditionFailedError);
    await client.siteBgp.delete(site.id, { ifMatch: created.etag });
  });

  test("a site's learned BGP routes as its agent reports them, with the server's decisions", async () => {
    const client = new PatronusClient();
    const site = await newSite(client);
    const lan = site.lan_prefixes[0] ?? "";
    const neighbor = lan.replace("0/24", "2");
    await client.siteBgp.put(site.id, { neighbors: [{ address: neighbor, remote_asn: 65010 }], overlay_import: true });
    const overlay = (await client.topology.get()).overlay_prefix;
    const agent = await enrollAgent(client, site.id);
    const reported = await agent.raw.PUT("/v1/agent/bgp/routes", {
      body: { routes: [{ prefix: lan, neighbor, as_path: "65010" }, { prefix: overlay, neighbor }] },
    });
    assert.deepEqual(reported.data, { accepted: 1, refused: 1, not_imported: 0 }, JSON.stringify(reported.error));
    const refused = [];
    for await (const r of client.siteBgp.routes(site.id, { state: "refused" })) refused.push(r);
    assert.deepEqual(
      refused.map((r) => r.prefix),
      [overlay],
    );
    assert.ok(refused[0]?.reason?.includes("overlay"), String(refused[0]?.reason));
    const accepted = await client.siteBgp.routesPage(site.id, { state: "accepted" }, { limit: 1 });
    assert.deepEqual(
      accepted.items.map((r) => [r.prefix, r.as_path]),
      [[lan, "65010"]],
    );
    const err = await client.siteBgp.routesPage(site.id, { prefix: "10.0.0.1/8" }).catch((e: unknown) => e);
    assert.ok(err instanceof ValidationError, String(err));
    assert.deepEqual(
      err.errors.map((e) => e.pointer),
      ["/query/prefix"],
    );
  });

  test("a 422 is a ValidationError with field errors", async () => {
    const client = new PatronusClient();
    const err = await client.sites
      .create({ name: unique("bad"), lan_prefixes: ["10.0.0.0/8", "not-a-prefix"] })
      .catch((e: unknown) => e);
    assert.ok(err instanceof ValidationError, String(err));
    assert.ok(err instanceof ApiError);
    assert.equal(err.status, 422);
    assert.match(err.type, /\/validation$/);
    assert.deepEqual(
      err.errors.map((e) => e.pointer),
      ["/lan_prefixes/1"],
    );
    assert.ok(err.errors[0]?.detail);
    assert.match(err.message, /\/lan_prefixes\/1/);
  });

  test("list iterates over several pages", async () => {
    const client = new PatronusClient();
    const batch = unique("batch");
    const created: Site[] = [];
    for (let i = 0; i < 7; i++) created.push(await newSite(client, { labels: { batch } }));

    const first = await client.sites.listPage({ label: `batch=${batch}` }, { limit: 3 });
    assert.equal(first.items.length, 3);
    assert.ok(first.nextCursor);

    const seen: string[] = [];
    for await (const s of client.sites.list({ label: `batch=${batch}` }, { pageSize: 3 })) seen.push(s.id);
    assert.deepEqual(
      seen,
      created.map((s) => s.id),
    );

    assert.equal((await client.sites.lookupByName(created[4]!.name))?.id, created[4]!.id);
    assert.equal(await client.sites.lookupByName(unique("nobody")), undefined);
    for (const s of created) await client.sites.delete(s.id);
  });

  test("rate-limited requests are retried after Retry-After", async () => {
    const rec = recorder();
    const client = limitedClient(rec.fetch);
    const started = Date.now();
    for (let i = 0; i < 5; i++) await client.topology.get();
    const statuses = rec.attempts.map((a) => a.status);
    assert.equal(statuses.filter((s) => s === 200).length, 5);
    assert.ok(statuses.includes(429), `statuses ${statuses}`);
    assert.ok(Date.now() - started >= 900, "retried without waiting for Retry-After");
  });

  test("a retried POST keeps its Idempotency-Key", async () => {
    const rec = recorder();
    const client = limitedClient(rec.fetch);
    for (let i = 0; i < 3; i++) await client.topology.get(); // spend the burst
    const site = await newSite(client);
    const posts = rec.attempts.filter((a) => a.method === "POST");
    assert.equal(posts[0]?.status, 429);
    assert.equal(posts.at(-1)?.status, 201);
    const keys = new Set(posts.map((p) => p.idempotencyKey));
    assert.equal(keys.size, 1);
    assert.ok(posts[0]?.idempotencyKey);
    await client.sites.delete(site.id);
  });

  test("a lost response is replayed, not created twice", async () => {
    const rec = recorder({ loseFirstPost: true });
    const client = new PatronusClient({ fetch: rec.fetch });
    const name = unique("once");
    const site = await newSite(client, { name });
    const posts = rec.attempts.filter((a) => a.method === "POST");
    assert.deepEqual(
      posts.map((p) => p.status),
      [201, 201],
    );
    assert.equal(posts[0]?.idempotencyKey, posts[1]?.idempotencyKey);
    assert.ok(posts[1]?.replayed);
    assert.deepEqual(
      (await client.sites.all({ name })).map((s) => s.id),
      [site.id],
    );
    await client.sites.delete(site.id);
  });

  test("configuration from options and from the environment", async () => {
    const { PATRONUS_URL: url, PATRONUS_TOKEN: token } = env;
    try {
      delete env.PATRONUS_URL;
      delete env.PATRONUS_TOKEN;
      assert.throws(() => new PatronusClient(), ConfigurationError);
      await new PatronusClient({ url, token }).topology.get();
      const bad = new PatronusClient({ url, token: "ptrn_api_wrong", retry: { maxRetries: 0 } });
      await assert.rejects(bad.topology.get(), UnauthorizedError);
    } finally {
      env.PATRONUS_URL = url;
      env.PATRONUS_TOKEN = token;
    }
  });

  test("topology PUT with If-Match", async () => {
    const client = new PatronusClient();
    const topo = await client.topology.get();
    const updated = await client.topology.put(
      { mode: topo.mode, overlay_prefix: topo.overlay_prefix, persistent_keepalive: 20 },
      { ifMatch: topo.etag },
    );
    assert.equal(updated.persistent_keepalive, 20);
    await assert.rejects(client.topology.put({ mode: topo.mode }, { ifMatch: topo.etag }), PreconditionFailedError);
  });

  test("identity provider PUT, GET and DELETE; the secret is write-only", async () => {
    const client = new PatronusClient();
    await assert.rejects(client.identityProvider.get(), NotFoundError);
    const spec = {
      issuer_url: "https://login.example.com/realms/acme",
      client_id: "patronus",
      role_mapping: [{ group: "net-ops", role: "operator" as const }],
    };
    await assert.rejects(client.identityProvider.put(spec), ValidationError);
    const created = await client.identityProvider.put({ ...spec, client_secret: "s3cret" });
    assert.equal(created.client_secret_set, true);
    assert.ok(!JSON.stringify(created).includes("s3cret"));
    const updated = await client.identityProvider.put({ ...spec, default_role: "viewer" }, { ifMatch: created.etag });
    assert.equal(updated.default_role, "viewer");
    assert.equal(updated.client_secret_set, true);
    await assert.rejects(client.identityProvider.put(spec, { ifMatch: created.etag }), PreconditionFailedError);
    await client.identityProvider.delete({ ifMatch: updated.etag });
    await assert.rejects(client.identityProvider.delete(), NotFoundError);
  });

  test("site paths now, their history and the failover events an agent reported", async () => {
    const client = new PatronusClient();
    const site = await newSite(client);
    const peer = await newSite(client);

    const before = await client.sites.paths(site.id);
    assert.equal(before.site_id, site.id);
    assert.deepEqual(before.paths, []);
    assert.equal(before.reported_at ?? null, null);
    assert.deepEqual((await client.sites.pathHistory(site.id)).series, []);

    const at = new Date(Math.floor(Date.now() / 1000) * 1000);
    const later = (s: number) => new Date(at.getTime() + s * 1000).toISOString();
    await reportAsAgent(client, site.id, {
      agent_version: "0.1.0",
      uptime_seconds: 30,
      peers: [
        {
          site_id: peer.id,
          active_link: "fiber",
          paths: [
            {
              link: "fiber",
              endpoint: "192.0.2.2:51820",
              up: true,
              active: true,
              rtt_ms: 12.5,
              jitter_ms: 1.25,
              loss_percent: 0.5,
            },
            { link: "lte", endpoint: "198.51.100.2:51820", up: false },
          ],
        },
      ],
      failover_events: [
        { at: later(0), peer_site_id: peer.id, from_link: "fiber", to_link: "lte", reason: "path_down" },
        { at: later(1), peer_site_id: peer.id, policy: "voice", from_link: "fiber", to_link: "lte", reason: "sla" },
        { at: later(2), peer_site_id: peer.id, policy: "voice", from_link: "lte", to_link: "fiber", reason: "better" },
      ],
    });

    const now = await client.sites.paths(site.id);
    assert.ok(now.reported_at, "reported_at after a report");
    assert.ok(Math.abs(Date.now() - Date.parse(now.reported_at)) < 300_000, now.reported_at);
    const [fiber, lte] = now.paths;
    assert.deepEqual(
      [fiber?.peer_site_id, fiber?.link, fiber?.endpoint, fiber?.up, fiber?.active],
      [peer.id, "fiber", "192.0.2.2:51820", true, true],
    );
    assert.deepEqual([fiber?.rtt_ms, fiber?.jitter_ms, fiber?.loss_percent], [12.5, 1.25, 0.5]);
    assert.deepEqual([lte?.link, lte?.up, lte?.active, lte?.rtt_ms ?? null], ["lte", false, false, null]);

    // One report is one sample per path: one point each in the last hour.
    const history = await client.sites.pathHistory(site.id);
    assert.equal(history.step_seconds, 60);
    assert.deepEqual(
      history.series.map((s) => [s.link, s.points.length]),
      [
        ["fiber", 1],
        ["lte", 1],
      ],
    );
    const point = history.series[0]?.points[0];
    assert.deepEqual([point?.rtt_ms, point?.up_ratio, point?.samples], [12.5, 1, 1]);
    assert.equal(history.series[1]?.points[0]?.up_ratio, 0);
    const hourly = await client.sites.pathHistory(site.id, {
      from: new Date(at.getTime() - 3 * 3600_000).toISOString(),
      step: 3600,
      peer_site_id: peer.id,
      link: "lte",
    });
    assert.equal(hourly.step_seconds, 3600);
    assert.deepEqual(
      hourly.series.map((s) => s.link),
      ["lte"],
    );
    const bad = await client.sites.pathHistory(site.id, { step: 90 }).catch((e: unknown) => e);
    assert.ok(bad instanceof ValidationError, String(bad));
    assert.deepEqual(
      bad.errors.map((e) => e.pointer),
      ["/query/step"],
    );

    const fleet = await client.fleetStatus();
    const h = fleet.health;
    assert.equal(h.online + h.degraded + h.offline + h.unenrolled, fleet.sites);
    assert.ok(fleet.recent_failovers.some((e) => e.site_id === site.id));
    assert.equal(fleet.site_names[site.id], site.name);

    const first = await client.sites.failoverEventsPage(site.id, {}, { limit: 2 });
    assert.equal(first.items.length, 2);
    assert.ok(first.nextCursor);
    assert.equal(first.items[0]?.policy ?? null, null);
    assert.deepEqual([first.items[0]?.to_link, first.items[0]?.site_id], ["lte", site.id]);
    const reasons: string[] = [];
    for await (const e of client.sites.failoverEvents(site.id, {}, { pageSize: 1 })) reasons.push(e.reason);
    assert.deepEqual(reasons, ["path_down", "sla", "better"]);
    const voice: string[] = [];
    for await (const e of client.sites.failoverEvents(site.id, { policy: "voice" })) voice.push(e.reason);
    assert.deepEqual(voice, ["sla", "better"]);
    const since = await client.sites.failoverEventsPage(site.id, { since: later(2) });
    assert.deepEqual(
      since.items.map((e) => e.reason),
      ["better"],
    );

    const missing = "0190a000-0000-7000-8000-000000000000";
    await assert.rejects(client.sites.paths(missing), NotFoundError);
    await assert.rejects(client.sites.pathHistory(missing), NotFoundError);
    await assert.rejects(client.sites.failoverEventsPage(missing), NotFoundError);
    await client.sites.delete(site.id);
    await client.sites.delete(peer.id);
  });

  test("the typed raw client reaches every endpoint", async () => {
    const client = new PatronusClient();
    const { data, response } = await client.raw.GET("/v1/topology");
    assert.equal(response.status, 200);
    assert.ok(data?.etag);
    assert.ok(response.headers.get("ETag"));
  });
});
