import { useEffect, useState } from "preact/hooks";

import { ApiError, type GroupRole, type IdentityProvider, type Role, roleValues } from "@patronus-sdwan/sdk";

import { api, describe } from "../api";
import {
  DeleteButton,
  ErrorNote,
  Field,
  type FormErrors,
  formErrors,
  inputValue,
  Loading,
  noErrors,
  Page,
  splitList,
  useAsync,
  when,
} from "../ui";

interface Draft {
  issuer: string;
  clientId: string;
  secret: string;
  domains: string;
  claim: string;
  mapping: string;
  defaultRole: Role | "";
  adminsOnly: boolean;
}

const blank: Draft = {
  issuer: "",
  clientId: "",
  secret: "",
  domains: "",
  claim: "groups",
  mapping: "",
  defaultRole: "",
  adminsOnly: false,
};

function draftOf(p: IdentityProvider): Draft {
  return {
    issuer: p.issuer_url,
    clientId: p.client_id,
    secret: "",
    domains: p.allowed_email_domains.join(", "),
    claim: p.role_claim,
    mapping: p.role_mapping.map((m) => `${m.group} = ${m.role}`).join("\n"),
    defaultRole: p.default_role ?? "",
    adminsOnly: p.password_login_admins_only,
  };
}

/** `group = role` per line; a line that is not one is reported, not dropped. */
function parseMapping(text: string): { mapping: GroupRole[]; bad?: string } {
  const mapping: GroupRole[] = [];
  for (const line of text.split("\n").map((l) => l.trim()).filter(Boolean)) {
    const at = line.lastIndexOf("=");
    const group = line.slice(0, at).trim();
    const role = line.slice(at + 1).trim() as Role;
    if (at < 1 || !group || !roleValues.includes(role)) return { mapping, bad: line };
    mapping.push({ group, role });
  }
  return { mapping };
}

/** The tenant's identity provider for single sign-on (admins only). */
export function IdentityProviderPage() {
  const current = useAsync(async () => {
    try {
      return await api.identityProvider.get();
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return null;
      throw e;
    }
  }, []);
  const [d, setD] = useState<Draft>(blank);
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [saved, setSaved] = useState<string>();
  useEffect(() => {
    if (current.data) setD(draftOf(current.data));
  }, [current.data]);
  const err = (p: string) => errors.fields.get(p);
  const set = (k: keyof Draft) => (e: Event) => setD({ ...d, [k]: inputValue(e) });
  const provider = current.data;

  const submit = async (e: Event) => {
    e.preventDefault();
    setErrors(noErrors);
    setSaved(undefined);
    const { mapping, bad } = parseMapping(d.mapping);
    if (bad !== undefined) {
      setErrors({ fields: new Map([["/role_mapping", `"${bad}" is not "group = admin|operator|viewer"`]]), general: undefined });
      return;
    }
    try {
      await api.identityProvider.put(
        {
          issuer_url: d.issuer.trim(),
          client_id: d.clientId.trim(),
          client_secret: d.secret ? d.secret : null,
          allowed_email_domains: splitList(d.domains),
          role_claim: d.claim.trim(),
          role_mapping: mapping,
          default_role: d.defaultRole || null,
          password_login_admins_only: d.adminsOnly,
        },
        { ifMatch: provider?.etag },
      );
      setSaved("Saved.");
      current.reload();
    } catch (ex) {
      setErrors(
        formErrors(ex, [
          "/issuer_url",
          "/client_id",
          "/client_secret",
          "/allowed_email_domains",
          "/role_claim",
          "/role_mapping",
          "/default_role",
          "/password_login_admins_only",
        ]),
      );
    }
  };

  return (
    <Page title="Single sign-on">
      {current.error && <ErrorNote error={current.error} />}
      {current.loading && current.data === undefined && <Loading what="the identity provider" />}
      {provider === null && <p id="idp-status">No identity provider: people sign in with a password.</p>}
      {provider && (
        <dl class="facts" id="idp-status">
          <dt>Sign-in URL</dt>
          <dd>
            <code>{provider.login_url}</code>
          </dd>
          <dt>Verified</dt>
          <dd>{provider.verified_at ? `first SSO login ${when(provider.verified_at)}` : "no SSO login has succeeded yet"}</dd>
          <dt>Client secret</dt>
          <dd>{provider.client_secret_set ? "set (never shown)" : "none"}</dd>
        </dl>
      )}
      {current.data !== undefined && (
        <form class="card form" onSubmit={submit} noValidate aria-labelledby="idp-title">
          <h2 id="idp-title">{provider ? "Identity provider" : "New identity provider"}</h2>
          <p class="hint">
            Register <code>{location.origin}/v1/auth/oidc/callback</code> as the redirect URI at the provider.
          </p>
          <div class="grid">
            <Field label="Issuer URL" error={err("/issuer_url")}>
              {(a) => <input {...a} name="issuer_url" value={d.issuer} onInput={set("issuer")} />}
            </Field>
            <Field label="Client ID" error={err("/client_id")}>
              {(a) => <input {...a} name="client_id" value={d.clientId} onInput={set("clientId")} />}
            </Field>
            <Field label="Client secret" hint={provider ? "Leave empty to keep the stored one" : undefined} error={err("/client_secret")}>
              {(a) => <input {...a} name="client_secret" type="password" autocomplete="off" value={d.secret} onInput={set("secret")} />}
            </Field>
            <Field label="Allowed email domains" hint="Comma-separated; empty allows any" error={err("/allowed_email_domains")}>
              {(a) => <input {...a} name="allowed_email_domains" value={d.domains} onInput={set("domains")} />}
            </Field>
            <Field label="Role claim" error={err("/role_claim")}>
              {(a) => <input {...a} name="role_claim" value={d.claim} onInput={set("claim")} />}
            </Field>
            <Field label="Group → role" hint="One per line: group = admin, operator or viewer" error={err("/role_mapping")}>
              {(a) => <textarea {...a} name="role_mapping" rows={4} value={d.mapping} onInput={set("mapping")} />}
            </Field>
            <Field label="Default role" hint="For people in none of the groups" error={err("/default_role")}>
              {(a) => (
                <select {...a} name="default_role" value={d.defaultRole} onChange={set("defaultRole")}>
                  <option value="">none (refuse them)</option>
                  {roleValues.map((r) => (
                    <option key={r} value={r}>
                      {r}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label="Password sign-in for admins only" error={err("/password_login_admins_only")}>
              {(a) => (
                <input {...a} name="password_login_admins_only" type="checkbox" checked={d.adminsOnly}
                  onChange={(e) => setD({ ...d, adminsOnly: (e.currentTarget as HTMLInputElement).checked })} />
              )}
            </Field>
          </div>
          {errors.general && (
            <p class="alert" role="alert">
              {errors.general}
            </p>
          )}
          {saved && <p role="status">{saved}</p>}
          <div class="actions">
            <button type="submit">Save</button>
            {provider && (
              <DeleteButton
                what="the identity provider"
                onConfirm={async () => {
                  try {
                    await api.identityProvider.delete({ ifMatch: provider.etag });
                    setD(blank);
                  } catch (ex) {
                    setErrors({ fields: new Map(), general: describe(ex) });
                  }
                  current.reload();
                }}
              />
            )}
          </div>
        </form>
      )}
    </Page>
  );
}
