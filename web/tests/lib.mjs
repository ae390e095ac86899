// Shared by the browser tests: the seeded server, Chromium through playwright-core, sign-in,
// axe-core, screenshots, and a watch for CSP violations.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);

export const seed = JSON.parse(readFileSync(process.env.PORTAL_SEED ?? "", "utf8"));
export const url = seed.url;
const screenshots = process.env.PORTAL_SCREENSHOTS ?? "test-results/screenshots";
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

export async function launch() {
  return chromium.launch({
    executablePath: process.env.PORTAL_CHROMIUM ?? "/usr/bin/chromium",
    // Root (CI) cannot use Chromium's sandbox.
    args: ["--no-sandbox", "--disable-dev-shm-usage"],
  });
}

/** A fresh browser context (its own sessionStorage) and page, recording CSP violations. */
export async function newPage(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, baseURL: url });
  const page = await context.newPage();
  page.cspViolations = [];
  page.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) page.cspViolations.push(m.text());
  });
  page.on("pageerror", (e) => page.cspViolations.push(`page error: ${e.message}`));
  return page;
}

export async function signIn(page, user, tenant = seed.acme.slug) {
  await page.goto("/");
  await page.getByLabel("Organisation").fill(tenant);
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Sign out" }).waitFor();
}

/** Goes to a page of the portal by clicking through the main navigation. */
export async function nav(page, name) {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name, exact: true }).click();
  await page.getByRole("heading", { level: 1 }).waitFor();
}

export async function screenshot(page, name) {
  await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
}

/** axe-core in the page (evaluated through the DevTools protocol, so the page's CSP stays as it
 * is): fails on any serious or critical violation. */
export async function checkA11y(page, name) {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const result = await globalThis.axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5) }));
  });
  const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(bad, [], `${name}: axe-core found serious or critical violations:\n${JSON.stringify(bad, null, 2)}`);
  return violations;
}

export function noCspViolations(page) {
  assert.deepEqual(page.cspViolations, [], "the page broke its content security policy or threw");
}

/** A request to the API with a token, for checks the UI cannot show. */
export async function api(method, path, token, body) {
  const r = await fetch(url + path, {
    method,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : undefined };
}
