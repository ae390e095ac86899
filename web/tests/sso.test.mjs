// Single sign-on in real Chromium against the real server and a real OIDC provider: the
// `oidc-provider` package, run in this process on a port of its own with its development login
// and consent pages (any login name; the accounts below say who is in which group). The tenant
// "acme" gets an identity provider through the API; a person signs in through the portal's
// "Sign in with SSO" and lands signed in with the role their group maps to.

import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, before, describe, test } from "node:test";

import Provider from "oidc-provider";

import { api, checkA11y, launch, nav, newPage, noCspViolations, screenshot, seed, url } from "./lib.mjs";

const { users } = seed.acme;
const token = seed.acme.token;
const groups = { ann: ["staff", "net-ops"], bob: ["sales"] };
let browser;
let idp;

async function startProvider() {
  const server = createServer();
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: "patronus-portal",
        client_secret: "portal-test-client-secret",
        redirect_uris: [`${url}/v1/auth/oidc/callback`],
        grant_types: ["authorization_code"],
        response_types: ["code"],
      },
    ],
    scopes: ["openid", "email", "profile", "groups"],
    claims: { email: ["email", "email_verified"], profile: ["name"], groups: ["groups"] },
    // The claims of the granted scopes go into the ID token itself (Patronus reads no userinfo).
    conformIdTokenClaims: false,
    async findAccount(_ctx, sub) {
      return {
        accountId: sub,
        async claims() {
          return { sub, email: `${sub}@example.com`, email_verified: true, name: sub.toUpperCase(), groups: groups[sub] ?? [] };
        },
      };
    },
  });
  server.on("request", provider.callback());
  return { issuer, close: () => new Promise((ok) => server.close(ok)) };
}

/** Signs in at the provider's development pages as `login`, and consents when asked. */
async function atProvider(page, login) {
  await page.locator("input[name=login]").fill(login);
  await page.locator("input[name=password]").fill("anything");
  await page.getByRole("button", { name: "Sign-in" }).click();
  const consent = page.getByRole("button", { name: "Continue" });
  await page.waitForURL((u) => u.origin === url || u.pathname.startsWith("/interaction"));
  if (new URL(page.url()).origin !== url && (await consent.count()) > 0) await consent.click();
}

before(async () => {
  idp = await startProvider();
  browser = await launch();
  const put = await api("PUT", "/v1/identity-provider", token, {
    issuer_url: idp.issuer,
    client_id: "patronus-portal",
    client_secret: "portal-test-client-secret",
    role_mapping: [
      { group: "net-ops", role: "operator" },
      { group: "net-admins", role: "admin" },
    ],
  });
  assert.equal(put.status, 201, JSON.stringify(put.body));
});
after(async () => {
  await api("DELETE", "/v1/identity-provider", token);
  await browser?.close();
  await idp?.close();
});

describe("single sign-on", () => {
  test("SSO login creates the user with the mapped role; logout ends the session", async () => {
    const page = await newPage(browser);
    await page.goto("/");
    await page.getByLabel("Organisation").fill("acme");
    const sso = page.getByRole("link", { name: "Sign in with SSO" });
    await sso.waitFor();
    await screenshot(page, "09-sign-in-sso");
    await sso.click();
    await atProvider(page, "ann");
    await page.getByRole("button", { name: "Sign out" }).waitFor();
    const who = await page.locator(".who").innerText();
    assert.match(who, /ann@example\.com/);
    assert.match(who, /operator/);
    noCspViolations(page);

    const found = await api("GET", "/v1/users?email=ann@example.com", token);
    assert.equal(found.body.items.length, 1, "the user was created at the first login");
    assert.equal(found.body.items[0].role, "operator");
    assert.equal(found.body.items[0].display_name, "ANN");
    assert.equal(found.body.items[0].has_password, false);

    const cookie = (await page.context().cookies()).find((c) => c.name === "patronus_session");
    assert.equal(cookie?.httpOnly, true);
    assert.equal(cookie?.sameSite, "Lax");
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { name: "Sign in to Patronus" }).waitFor();
    const r = await fetch(`${url}/v1/auth/session`, { headers: { Cookie: `patronus_session=${cookie.value}` } });
    await r.arrayBuffer();
    assert.equal(r.status, 401, "the session ended on the server");
    await page.context().close();
  });

  test("someone in none of the mapped groups is refused on the sign-in page, and no user is made", async () => {
    const page = await newPage(browser);
    await page.goto("/");
    await page.getByLabel("Organisation").fill("acme");
    await page.getByRole("link", { name: "Sign in with SSO" }).click();
    await atProvider(page, "bob");
    // Back on the portal's sign-in page, which says why; the reason is not left in the URL.
    const alert = page.getByRole("alert");
    await alert.waitFor();
    assert.match(await alert.innerText(), /Single sign-on failed: .*none of the groups/);
    assert.equal(new URL(page.url()).pathname, "/");
    assert.equal(new URL(page.url()).search, "");
    await page.getByRole("heading", { name: "Sign in to Patronus" }).waitFor();
    await screenshot(page, "09b-sign-in-sso-refused");
    const found = await api("GET", "/v1/users?email=bob@example.com", token);
    assert.equal(found.body.items.length, 0);
    await page.context().close();
  });

  test("an admin sees the identity provider, verified by the first login", async () => {
    const page = await newPage(browser);
    await page.goto("/");
    await page.getByLabel("Organisation").fill("acme");
    await page.getByLabel("Email").fill(users.admin.email);
    await page.getByLabel("Password").fill(users.admin.password);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.getByRole("button", { name: "Sign out" }).waitFor();
    await nav(page, "Single sign-on");
    await page.locator("#idp-status").waitFor();
    assert.match(await page.locator("#idp-status").innerText(), /first SSO login/);
    assert.equal(await page.getByLabel("Issuer URL").inputValue(), idp.issuer);
    assert.equal(await page.getByLabel("Client secret").inputValue(), "", "the secret is never shown");
    // A field error from the API appears next to its field.
    await page.getByLabel("Issuer URL").fill("http://idp.example.com");
    await page.getByRole("button", { name: "Save" }).click();
    await page.locator("#idp-status").waitFor();
    const invalid = page.getByLabel("Issuer URL");
    await page.waitForFunction(() => document.querySelector("[name=issuer_url]")?.getAttribute("aria-invalid") === "true");
    assert.equal(await invalid.getAttribute("aria-invalid"), "true");
    await checkA11y(page, "single sign-on");
    await screenshot(page, "10-single-sign-on");
    noCspViolations(page);
    await page.context().close();
  });
});
