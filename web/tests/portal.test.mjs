// The portal in real Chromium against the real server (scripts/test-portal starts both and seeds
// tenant "acme"): what each role sees and can do, field errors from the API, secrets shown once,
// the audit log, logout; axe-core and a screenshot on each main page.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { api, checkA11y, launch, nav, newPage, noCspViolations, screenshot, seed, signIn, url } from "./lib.mjs";

const { users } = seed.acme;
let browser;

before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

describe("the portal", () => {
  test("is served with a strict CSP, and /v1 404s stay problem+json", async () => {
    const page = await fetch(`${url}/sites`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get("content-type") ?? "", /text\/html/);
    const csp = page.headers.get("content-security-policy") ?? "";
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(page.headers.get("cache-control"), "no-cache");
    const html = await page.text();
    assert.doesNotMatch(html, /<script>(?!<\/script>)|<script(?![^>]*src=)[^>]*>/, "no inline script in index.html");
    const asset = html.match(/\/assets\/[^"]+\.js/)?.[0];
    assert.ok(asset, "index.html names its script");
    const js = await fetch(url + asset);
    await js.arrayBuffer();
    assert.equal(js.headers.get("cache-control"), "public, max-age=31536000, immutable");
    const missing = await fetch(`${url}/v1/no-such-thing`);
    assert.equal((await missing.json()).status, 404);
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get("content-type"), "application/problem+json");
  });

  test("sign-in: a wrong password is refused with the server's words; no SSO button", async () => {
    const page = await newPage(browser);
    await page.goto("/");
    await page.getByRole("heading", { name: "Sign in to Patronus" }).waitFor();
    assert.equal(await page.getByRole("button", { name: /SSO|single sign-on/i }).count(), 0);
    await checkA11y(page, "sign-in");
    await screenshot(page, "01-sign-in");
    await page.getByLabel("Organisation").fill("acme");
    await page.getByLabel("Email").fill(users.viewer.email);
    await page.getByLabel("Password").fill("not the password at all");
    await page.getByRole("button", { name: "Sign in" }).click();
    const alert = page.getByRole("alert");
    await alert.waitFor();
    assert.match(await alert.innerText(), /.+/);
    assert.equal(await page.getByRole("button", { name: "Sign out" }).count(), 0);
    noCspViolations(page);
    await page.context().close();
  });

  test("the overview counts sites by health and updates live", async () => {
    const page = await newPage(browser);
    await signIn(page, users.viewer);
    const unenrolled = page.getByTestId("count-unenrolled");
    await unenrolled.waitFor();
    assert.equal(await page.getByTestId("count-online").innerText(), "1", "paris reports");
    assert.equal(await page.getByTestId("count-offline").innerText(), "1", "lyon never reported");
    await page.locator("#attention").getByRole("link", { name: "lyon" }).waitFor();
    assert.match(await page.getByRole("heading", { name: "Recent failovers" }).locator("xpath=following-sibling::*[1]").innerText(), /paris[\s\S]*lyon[\s\S]*lte → fiber/);
    await checkA11y(page, "overview");
    await screenshot(page, "02-overview");
    // The poll asks with the ETag it holds: unchanged, the server answers 304 without a body.
    const notModified = await page.waitForResponse(
      (r) => r.url().endsWith("/v1/fleet/status") && r.request().headers()["if-none-match"] !== undefined,
      { timeout: 12000 },
    );
    assert.equal(notModified.status(), 304);
    const before = Number(await unenrolled.innerText());
    // A site made elsewhere (an API token) shows up without a reload.
    await api("POST", "/v1/sites", seed.acme.token, { name: "live-update", lan_prefixes: ["10.99.0.0/16"] });
    await page.getByTestId("count-unenrolled").getByText(String(before + 1), { exact: true }).waitFor({ timeout: 15000 });
    noCspViolations(page);
    await page.context().close();
  });

  test("a viewer sees no edit controls and no administration", async () => {
    const page = await newPage(browser);
    await signIn(page, users.viewer);
    const main = page.getByRole("navigation", { name: "Main" });
    assert.equal(await main.getByRole("link", { name: "Users" }).count(), 0);
    assert.equal(await main.getByRole("link", { name: "API tokens" }).count(), 0);

    await nav(page, "Sites");
    await page.getByRole("link", { name: "paris" }).waitFor();
    assert.equal(await page.getByRole("link", { name: "New site" }).count(), 0);
    await page.getByRole("link", { name: "paris" }).click();
    await page.getByRole("heading", { name: "WAN links" }).waitFor();
    await page.locator("#links").waitFor();
    for (const name of [/^Delete/, "Edit site", "Add a link", "Create an enrollment token"]) {
      assert.equal(await page.getByRole("button", { name }).count(), 0, `viewer sees ${name}`);
    }
    for (const [link, button] of [
      ["Policies", "Create policy"],
      ["QoS classes", "Create QoS class"],
    ]) {
      await nav(page, link);
      assert.equal(await page.getByRole("button", { name: button }).count(), 0, `viewer sees ${button}`);
      assert.equal(await page.getByRole("button", { name: /^Delete/ }).count(), 0);
    }
    // Typed by hand, an admin page says it is not for this role.
    await page.goto("/api-tokens");
    await page.getByRole("heading", { name: "Not available" }).waitFor();
    await page.goto("/sites/new");
    await page.getByRole("heading", { name: "Not available" }).waitFor();
    noCspViolations(page);
    await page.context().close();
  });

  test("an operator creates a site with two links and a policy, and sees field errors", async () => {
    const page = await newPage(browser);
    await signIn(page, users.operator);
    const main = page.getByRole("navigation", { name: "Main" });
    assert.equal(await main.getByRole("link", { name: "Users" }).count(), 0, "operators administer no users");
    assert.equal(await main.getByRole("link", { name: "API tokens" }).count(), 0, "operators administer no tokens");

    await nav(page, "Sites");
    await page.getByRole("link", { name: "New site" }).click();
    await page.getByRole("heading", { name: "New site" }).waitFor();
    await checkA11y(page, "new site");
    await page.getByLabel("Name", { exact: true }).fill("berlin");
    await page.getByLabel("Location").fill("Berlin");
    // Host bits set: the server refuses the prefix, pointing at /lan_prefixes/0.
    await page.getByLabel("LAN prefixes").fill("10.20.0.1/16");
    await page.getByLabel("Link 1 name").fill("fiber");
    const link1 = page.getByRole("group", { name: "Link 1" });
    await link1.getByLabel("Interface").fill("eth0");
    await link1.getByLabel("Endpoint (host:port)").fill("203.0.113.7:51820");
    await page.getByRole("button", { name: "Add a link" }).click();
    const link2 = page.getByRole("group", { name: "Link 2" });
    await link2.getByLabel("Interface").fill("wwan0");
    await link2.getByLabel("Up Mbit/s").fill("50");
    await page.getByRole("button", { name: "Create site" }).click();

    const lan = page.getByLabel("LAN prefixes");
    await page.locator(".field.invalid").first().waitFor();
    assert.equal(await lan.getAttribute("aria-invalid"), "true");
    const describedBy = (await lan.getAttribute("aria-describedby")) ?? "";
    const errorText = await page.locator(`[id="${describedBy.split(" ").pop()}"]`).innerText();
    assert.match(errorText, /host bits|network address|10\.20\.0\.0\/16/i, errorText);
    await checkA11y(page, "new site with field errors");
    await screenshot(page, "04-new-site-field-error");

    await lan.fill("10.20.0.0/16");
    await page.getByRole("button", { name: "Create site" }).click();
    await page.getByRole("heading", { name: "Site berlin" }).waitFor();
    const links = page.locator("#links tbody tr");
    await links.nth(1).waitFor();
    assert.equal(await links.count(), 2);
    assert.match(await page.locator("#links").innerText(), /fiber[\s\S]*eth0[\s\S]*203\.0\.113\.7:51820/);
    assert.match(await page.locator("#links").innerText(), /lte[\s\S]*wwan0[\s\S]*behind NAT/);
    await checkA11y(page, "site page (new)");

    // An enrollment token: its secret is shown once.
    await page.getByRole("button", { name: "Create an enrollment token" }).click();
    const secret = await page.locator("#secret-value").innerText();
    assert.match(secret, /^ptrn_enr_/);
    await page.getByRole("button", { name: "Done" }).click();
    assert.equal(await page.getByText(secret).count(), 0);

    // Editing: a bad listen port is refused next to its field; a change made meanwhile by someone
    // else is not overwritten (If-Match, 412); after a reload the edit goes through.
    const berlinId = new URL(page.url()).pathname.split("/").pop();
    await page.getByRole("button", { name: "Edit site" }).click();
    const edit = page.getByRole("form", { name: "Edit site" });
    await edit.getByLabel("Listen port").fill("0");
    await edit.getByRole("button", { name: "Save site" }).click();
    await edit.locator(".field.invalid").waitFor();
    assert.equal(await edit.getByLabel("Listen port").getAttribute("aria-invalid"), "true");
    await edit.getByLabel("Listen port").fill("51821");
    const elsewhere = await api("PATCH", `/v1/sites/${berlinId}`, seed.acme.token, { description: "changed elsewhere" });
    assert.equal(elsewhere.status, 200);
    await edit.getByRole("button", { name: "Save site" }).click();
    await edit.getByRole("alert").getByText(/Someone changed this site/).waitFor();
    await page.reload();
    await page.getByRole("button", { name: "Edit site" }).click();
    await page.getByRole("form", { name: "Edit site" }).getByLabel("Location").fill("Berlin-Mitte");
    await page.getByRole("form", { name: "Edit site" }).getByRole("button", { name: "Save site" }).click();
    await page.locator("dl.details").getByText("Berlin-Mitte").waitFor();
    assert.match(await page.locator("dl.details").first().innerText(), /changed elsewhere/);

    // A policy: first with a bad destination prefix (an error next to that field), then fixed.
    await nav(page, "Policies");
    await page.getByLabel("Name", { exact: true }).fill("voice");
    await page.getByLabel("Priority").fill("10");
    await page.getByLabel("Protocol").selectOption("udp");
    await page.getByLabel("Destination prefixes").fill("10.20.0.0/33");
    await page.getByLabel("Destination ports").fill("5060-5061");
    await page.getByLabel("Path selection").selectOption("lowest_latency");
    await page.getByLabel("Link preference").fill("fiber, lte");
    await page.getByLabel("SLA: max latency ms").fill("150");
    await page.getByRole("button", { name: "Create policy" }).click();
    const dst = page.getByLabel("Destination prefixes");
    await page.locator(".field.invalid").first().waitFor();
    assert.equal(await dst.getAttribute("aria-invalid"), "true");
    assert.equal(await page.getByLabel("Name", { exact: true }).getAttribute("aria-invalid"), null);
    await checkA11y(page, "policies with a field error");
    await dst.fill("10.20.0.0/16");
    await page.getByRole("button", { name: "Create policy" }).click();
    await page.locator("#policies").getByRole("cell", { name: "voice", exact: true }).waitFor();
    assert.match(await page.locator("#policies").innerText(), /udp; to 10\.20\.0\.0\/16; ports 5060-5061/);
    await screenshot(page, "06-policies");
    noCspViolations(page);
    await page.context().close();
  });

  test("an admin creates an API token and sees its secret once", async () => {
    const page = await newPage(browser);
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: url });
    await signIn(page, users.admin);
    await nav(page, "API tokens");
    await page.getByLabel("Name", { exact: true }).fill("terraform-ci");
    await page.getByLabel("Role").selectOption("operator");
    await page.getByRole("button", { name: "Create token" }).click();
    const value = page.locator("#secret-value");
    await value.waitFor();
    const secret = await value.innerText();
    assert.match(secret, /^ptrn_api_/);
    await page.getByRole("button", { name: "Copy" }).click();
    await page.getByRole("button", { name: "Copied" }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), secret);
    // The secret works, as the operator token it was made as.
    const me = await api("GET", "/v1/auth/whoami", secret);
    assert.equal(me.body.role, "operator");
    await screenshot(page, "08-api-token-secret");
    await page.getByRole("button", { name: "Done" }).click();
    await page.locator("#api-tokens").getByRole("cell", { name: "terraform-ci", exact: true }).waitFor();
    assert.equal(await page.getByText(secret).count(), 0, "the secret is gone once dismissed");
    await page.reload();
    await page.locator("#api-tokens").getByRole("cell", { name: "terraform-ci", exact: true }).waitFor();
    assert.ok(!(await page.content()).includes(secret), "and is never shown again");
    await checkA11y(page, "API tokens");
    await screenshot(page, "08-api-tokens");
    noCspViolations(page);
    await page.context().close();
  });

  test("the audit log shows those changes, and filters", async () => {
    const page = await newPage(browser);
    await signIn(page, users.admin);
    await nav(page, "Audit log");
    const table = page.locator("#audit");
    await table.waitFor();
    const text = await table.innerText();
    for (const action of ["site.create", "policy.create", "api_token.create", "enrollment_token.create"]) {
      assert.match(text, new RegExp(action.replace(".", "\\.")), `audit log lacks ${action}`);
    }
    assert.match(text, /operator@acme\.example \(user\)\s+site\.create\s+site berlin/);
    await checkA11y(page, "audit log");
    await screenshot(page, "09-audit-log");
    await page.getByLabel("Resource type").selectOption("policy");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL(/resource_type=policy/);
    // The filtered page replaces the unfiltered rows once its answer arrives.
    await page.waitForFunction(() => {
      const cells = [...document.querySelectorAll("#audit tbody tr td:nth-child(3)")];
      return cells.length > 0 && cells.every((c) => c.textContent?.startsWith("policy."));
    });
    const actions = await page.locator("#audit tbody tr td:nth-child(3)").allInnerTexts();
    assert.ok(actions.length > 0 && actions.every((a) => a.startsWith("policy.")), actions.join(", "));
    noCspViolations(page);
    await page.context().close();
  });

  test("main pages pass axe-core and are photographed", async () => {
    const page = await newPage(browser);
    await signIn(page, users.admin);
    await nav(page, "Sites");
    await page.locator("#sites").waitFor();
    await checkA11y(page, "sites");
    await screenshot(page, "03-sites");
    await page.getByRole("link", { name: "paris" }).click();
    await page.locator("#paths").waitFor();
    assert.match(await page.locator("#paths").innerText(), /fiber[\s\S]*up, active[\s\S]*12\.5/);
    await page.getByText("The document the site's agent receives").click();
    await page.locator("pre.json").waitFor();
    await checkA11y(page, "site page");
    await screenshot(page, "05-site-paris");
    for (const [link, shot, ready] of [
      ["QoS classes", "07-qos-classes", "New QoS class"],
      ["Users", "10-users", "New user"],
      ["Topology", "11-topology", "Topology"],
    ]) {
      await nav(page, link);
      await page.getByRole("heading", { name: ready }).first().waitFor();
      if (link === "Topology") await page.locator("svg.topology").waitFor();
      await checkA11y(page, link);
      await screenshot(page, shot);
    }
    noCspViolations(page);
    await page.context().close();
  });

  test("the session is an HttpOnly cookie no script can read; logout ends it on the server", async () => {
    const page = await newPage(browser);
    await signIn(page, users.operator);
    assert.equal(await page.evaluate(() => localStorage.length + sessionStorage.length), 0, "nothing in web storage");
    assert.doesNotMatch(await page.evaluate(() => document.cookie), /patronus_session/, "invisible to scripts");
    const cookie = (await page.context().cookies()).find((c) => c.name === "patronus_session");
    assert.ok(cookie, "the session cookie is set");
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, "Lax");
    assert.equal(cookie.path, "/");
    assert.match(cookie.value, /^ptrn_sess_/);
    // A reload resumes the session from the cookie.
    await page.reload();
    await page.getByRole("button", { name: "Sign out" }).waitFor();
    // A change made with the cookie but without the CSRF token (as another site's form would) is refused.
    const forged = await fetch(`${url}/v1/sites`, {
      method: "POST",
      headers: { Cookie: `patronus_session=${cookie.value}`, "Content-Type": "application/json" },
      body: JSON.stringify({ name: "forged", lan_prefixes: ["10.250.0.0/24"] }),
    });
    assert.equal(forged.status, 403);
    assert.match((await forged.json()).detail, /X-CSRF-Token/);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { name: "Sign in to Patronus" }).waitFor();
    const r = await fetch(`${url}/v1/auth/session`, { headers: { Cookie: `patronus_session=${cookie.value}` } });
    await r.arrayBuffer();
    assert.equal(r.status, 401, "the server ended the session");
    assert.equal((await page.context().cookies()).some((c) => c.name === "patronus_session"), false, "the cookie is gone");
    await page.reload();
    await page.getByRole("heading", { name: "Sign in to Patronus" }).waitFor();
    noCspViolations(page);
    await page.context().close();
  });
});
