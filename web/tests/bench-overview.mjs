// The fleet overview of a 1,000-site tenant in headless Chromium: the time from navigation to
// the overview (counts and the sites needing attention) on screen, read from the portal's own
// performance mark, and the same seen from outside (page.goto to the first row visible).
//
// Run by `scripts/test-portal bench` (bench/portal_overview.sh), which seeds tenant "fleet".
// Each run reloads the page, as a user opening the portal again does: the session resumes through
// a refresh of its token, then whoami and the overview are fetched. Half the runs have the
// browser's cache disabled (the portal's files are fetched too), half use it.

import assert from "node:assert/strict";
import os from "node:os";

import { launch, newPage, screenshot, seed, signIn, url } from "./lib.mjs";

const runs = Number(process.env.PORTAL_BENCH_RUNS ?? 5);
const fleet = seed.fleet;
assert.ok(fleet, "the seed has no fleet tenant: run scripts/test-portal bench");

const browser = await launch();
const page = await newPage(browser);
await signIn(page, fleet.viewer, fleet.slug);
const cdp = await page.context().newCDPSession(page);
const results = [];
for (let i = 0; i < 2 * runs; i++) {
  const cold = i < runs;
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: cold });
  const t0 = Date.now();
  await page.goto("/");
  await page.locator("#attention tbody tr").first().waitFor();
  const outside = Date.now() - t0;
  const mark = await page.evaluate(() => performance.getEntriesByName("patronus:overview-rendered")[0]?.startTime);
  const shown = await page.getByTestId("count-sites").innerText();
  assert.equal(Number(shown), fleet.sites);
  results.push({ run: i + 1, cold, rendered_ms: Math.round(mark ?? NaN), outside_ms: outside });
}
await cdp.send("Network.setCacheDisabled", { cacheDisabled: false });

// The sites list (first page of 50 of the 1,000), through the navigation.
const lists = [];
for (let i = 0; i < runs; i++) {
  await page.goto("/");
  await page.locator("#attention").waitFor();
  const t0 = Date.now();
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Sites", exact: true }).click();
  await page.locator("#sites tbody tr").nth(49).waitFor();
  lists.push(Date.now() - t0);
}

// The topology of the 1,000 sites, grouped by health.
const topo = [];
for (let i = 0; i < runs; i++) {
  await page.goto("/");
  await page.locator("#attention").waitFor();
  const t0 = Date.now();
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Topology", exact: true }).click();
  await page.locator("svg.topology circle").first().waitFor();
  topo.push(Date.now() - t0);
}
assert.match(await page.locator("main").innerText(), /grouped by health/);
await screenshot(page, "12-topology-1000-sites");
await page.goto("/");
await page.locator("#attention").waitFor();
await screenshot(page, "13-overview-1000-sites");

// The API call alone, for comparison.
const token = seed.fleet.token;
const api = [];
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  const r = await fetch(`${url}/v1/fleet/status`, { headers: { Authorization: `Bearer ${token}` } });
  await r.arrayBuffer();
  api.push(Math.round(performance.now() - t0));
}
await browser.close();

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return `median ${s[Math.floor(s.length / 2)]} ms, min ${s[0]} ms, max ${s[s.length - 1]} ms`;
};
console.log(`BENCH portal overview, ${fleet.sites} sites, headless Chromium ${browser.version?.() ?? ""}`);
console.log(`conditions: ${os.cpus().length} CPUs (${os.cpus()[0]?.model}), load average ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
for (const r of results) {
  console.log(`run ${r.run} (${r.cold ? "cache disabled" : "cached files"}): overview rendered ${r.rendered_ms} ms after navigation start (seen from outside: ${r.outside_ms} ms)`);
}
for (const cold of [true, false]) {
  const xs = results.filter((r) => r.cold === cold);
  console.log(`overview rendered, ${cold ? "cache disabled" : "cached files"}: ${stats(xs.map((r) => r.rendered_ms))}; from outside ${stats(xs.map((r) => r.outside_ms))}`);
}
console.log(`sites list, first 50 rows after the click: ${stats(lists)} (${lists.join(", ")})`);
console.log(`topology (grouped) drawn after the click: ${stats(topo)} (${topo.join(", ")})`);
console.log(`GET /v1/fleet/status alone: ${stats(api)} (${api.join(", ")})`);
