// Seeds the tenants the browser tests and the overview benchmark use, through the public API only.
//
//   node tests/seed.mjs URL PLATFORM_TOKEN OUT_JSON [SITES]
//
// Tenant "acme": an admin, an operator and a viewer user (passwords), an admin API token, and
// two sites whose agents enrolled; one of them reports its paths and a failover, the other never
// reports (offline). With SITES (e.g. 1000), also tenant "fleet" with that many sites, a tenth of
// them enrolled (so offline until they report), for the overview benchmark. Writes what the tests
// need (URLs, credentials) to OUT_JSON.

import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";

const [url, platform, out, sitesArg] = process.argv.slice(2);
if (!url || !platform || !out) {
  console.error("usage: node tests/seed.mjs URL PLATFORM_TOKEN OUT_JSON [SITES]");
  process.exit(2);
}

async function call(method, path, token, body) {
  for (let attempt = 0; ; attempt++) {
    const r = await fetch(url + path, {
      method,
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if ((r.status === 429 || r.status === 503) && attempt < 10) {
      await new Promise((ok) => setTimeout(ok, 200 * (attempt + 1)));
      continue;
    }
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  }
}

async function tenant(slug, quotas) {
  const t = await call("POST", "/v1/tenants", platform, { name: slug, slug, ...(quotas ? { quotas } : {}) });
  const admin = await call("POST", `/v1/tenants/${t.id}/api-tokens`, platform, { name: "seed", role: "admin" });
  return { id: t.id, slug, token: admin.token };
}

const key = () => randomBytes(32).toString("base64");

async function enroll(token, siteId, hostname) {
  const enr = await call("POST", `/v1/sites/${siteId}/enrollment-tokens`, token, {});
  const r = await fetch(`${url}/v1/agent/enroll`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ token: enr.token, public_key: key(), hostname, agent_version: "0.1.0" }),
  });
  if (!r.ok) throw new Error(`enroll: ${r.status} ${await r.text()}`);
  return (await r.json()).credential;
}

/** Runs `fn` over `items`, `n` at a time. */
async function pool(items, n, fn) {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i], i);
      }
    }),
  );
}

const password = "portal test passphrase";
const acme = await tenant("acme");
const users = {};
for (const role of ["admin", "operator", "viewer"]) {
  const email = `${role}@acme.example`;
  await call("POST", "/v1/users", acme.token, { email, display_name: `${role} of acme`, role, password });
  users[role] = { email, password };
}
const paris = await call("POST", "/v1/sites", acme.token, {
  name: "paris",
  location: "Paris",
  lan_prefixes: ["10.10.0.0/16"],
  links: [
    { name: "fiber", interface: "eth0", kind: "fiber", endpoint: "192.0.2.10:51820", bandwidth_up_mbps: 500, bandwidth_down_mbps: 500 },
    { name: "lte", interface: "wwan0", kind: "lte", bandwidth_up_mbps: 50, bandwidth_down_mbps: 100 },
  ],
});
const lyon = await call("POST", "/v1/sites", acme.token, { name: "lyon", location: "Lyon", lan_prefixes: ["10.11.0.0/16"] });
const parisAgent = await enroll(acme.token, paris.id, "paris-edge-1");
await enroll(acme.token, lyon.id, "lyon-edge-1");
const config = await call("GET", `/v1/sites/${paris.id}/config`, acme.token);
await call("POST", "/v1/agent/status", parisAgent, {
  agent_version: "0.1.0",
  uptime_seconds: 120,
  applied_revision: config.revision,
  applied_hash: config.hash,
  peers: [
    {
      site_id: lyon.id,
      active_link: "fiber",
      paths: [
        { link: "fiber", endpoint: "198.51.100.20:51820", up: true, active: true, rtt_ms: 12.5, jitter_ms: 0.8, loss_percent: 0 },
        { link: "lte", endpoint: "198.51.100.20:51820", up: true, active: false, rtt_ms: 48.0, jitter_ms: 6.1, loss_percent: 0.5 },
      ],
    },
  ],
  failover_events: [
    { at: new Date().toISOString(), peer_site_id: lyon.id, from_link: "lte", to_link: "fiber", reason: "better" },
  ],
});

const seeded = { url, platform, password, acme: { ...acme, users, sites: { paris: paris.id, lyon: lyon.id } } };

const count = Number(sitesArg ?? 0);
if (count > 0) {
  // Beyond the default quota of 1,000 sites, the fleet tenant gets room for them.
  const fleet = await tenant("fleet", count > 1000 ? { max_users: 100, max_api_tokens: 50, max_sites: count } : undefined);
  const ids = new Array(count);
  const started = Date.now();
  await pool([...Array(count).keys()], 4, async (i) => {
    const s = await call("POST", "/v1/sites", fleet.token, {
      name: `site-${String(i).padStart(5, "0")}`,
      location: `City ${i % 97}`,
      labels: { region: ["eu", "us", "apac"][i % 3] },
      lan_prefixes: [`10.${100 + Math.floor(i / 256)}.${i % 256}.0/24`],
    });
    ids[i] = s.id;
  });
  await pool(ids.filter((_, i) => i % 10 === 0), 4, (id, i) => enroll(fleet.token, id, `fleet-${i}`));
  await call("POST", "/v1/users", fleet.token, { email: "viewer@fleet.example", display_name: "fleet viewer", role: "viewer", password });
  seeded.fleet = { ...fleet, sites: count, viewer: { email: "viewer@fleet.example", password } };
  console.error(`seeded ${count} sites in tenant fleet in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

writeFileSync(out, JSON.stringify(seeded, null, 2));
console.error(`seeded tenant acme (users admin, operator, viewer) into ${out}`);
