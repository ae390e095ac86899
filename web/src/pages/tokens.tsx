import { useState } from "preact/hooks";

import { type ApiTokenCreated, type Role, roleValues } from "@patronus-sdwan/sdk";

import { api } from "../api";
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
  SecretOnce,
  useAsync,
  when,
} from "../ui";

/** API tokens, for Terraform, Ansible and CI (admins only). */
export function TokensPage() {
  const tokens = useAsync(() => api.apiTokens.all(), []);
  const [created, setCreated] = useState<ApiTokenCreated>();
  const [d, setD] = useState({ name: "", role: "operator" as Role, expires: "" });
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const err = (p: string) => errors.fields.get(p);
  const submit = async (e: Event) => {
    e.preventDefault();
    setErrors(noErrors);
    try {
      const token = await api.apiTokens.create({
        name: d.name.trim(),
        role: d.role,
        expires_at: d.expires ? new Date(`${d.expires}T23:59:59Z`).toISOString() : null,
      });
      setCreated(token);
      setD({ name: "", role: "operator", expires: "" });
      tokens.reload();
    } catch (ex) {
      setErrors(formErrors(ex, ["/name", "/role", "/expires_at"]));
    }
  };
  return (
    <Page title="API tokens">
      {created && (
        <SecretOnce label={`API token ${created.name}`} secret={created.token} onDone={() => setCreated(undefined)} />
      )}
      {tokens.error && <ErrorNote error={tokens.error} />}
      {tokens.loading && !tokens.data && <Loading what="tokens" />}
      {tokens.data && (
        <div class="scroll">
          <table id="api-tokens">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Prefix</th>
                <th scope="col">Expires</th>
                <th scope="col">Last used</th>
                <th scope="col"><span class="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {tokens.data.map((t) => (
                <tr key={t.id}>
                  <td>{t.name}</td>
                  <td>{t.role}</td>
                  <td>
                    <code>{t.prefix}…</code>
                  </td>
                  <td>{t.expires_at ? when(t.expires_at) : "never"}</td>
                  <td>{when(t.last_used_at)}</td>
                  <td>
                    <DeleteButton
                      what={`API token ${t.name}`}
                      onConfirm={async () => {
                        await api.apiTokens.delete(t.id, { ifMatch: t.etag });
                        tokens.reload();
                      }}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form class="card form" onSubmit={submit} noValidate aria-labelledby="new-token-title">
        <h2 id="new-token-title">New API token</h2>
        <div class="grid">
          <Field label="Name" error={err("/name")}>
            {(a) => <input {...a} name="name" value={d.name} onInput={(e) => setD({ ...d, name: inputValue(e) })} />}
          </Field>
          <Field label="Role" error={err("/role")}>
            {(a) => (
              <select {...a} name="role" value={d.role} onChange={(e) => setD({ ...d, role: inputValue(e) as Role })}>
                {roleValues.map((r) => (
                  <option key={r} value={r}>
                    {r}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Expires on" hint="Empty: never" error={err("/expires_at")}>
            {(a) => <input {...a} name="expires" type="date" value={d.expires} onInput={(e) => setD({ ...d, expires: inputValue(e) })} />}
          </Field>
        </div>
        {errors.general && (
          <p class="alert" role="alert">
            {errors.general}
          </p>
        )}
        <div class="actions">
          <button type="submit">Create token</button>
        </div>
      </form>
    </Page>
  );
}
