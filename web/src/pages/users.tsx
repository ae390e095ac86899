import { useState } from "preact/hooks";

import { type Role, roleValues } from "@patronus-sdwan/sdk";

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
  useAsync,
  useMe,
  when,
} from "../ui";

/** The tenant's users (admins only). */
export function UsersPage() {
  const me = useMe();
  const users = useAsync(() => api.users.all(), []);
  const blank = { email: "", name: "", role: "viewer" as Role, password: "" };
  const [d, setD] = useState(blank);
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const err = (p: string) => errors.fields.get(p);
  const set = (k: keyof typeof blank) => (e: Event) => setD({ ...d, [k]: inputValue(e) });
  const submit = async (e: Event) => {
    e.preventDefault();
    setErrors(noErrors);
    try {
      await api.users.create({ email: d.email.trim(), display_name: d.name.trim(), role: d.role, password: d.password || null });
      setD(blank);
      users.reload();
    } catch (ex) {
      setErrors(formErrors(ex, ["/email", "/display_name", "/role", "/password"]));
    }
  };
  return (
    <Page title="Users">
      {users.error && <ErrorNote error={users.error} />}
      {users.loading && !users.data && <Loading what="users" />}
      {users.data && (
        <div class="scroll">
          <table id="users">
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Password</th>
                <th scope="col">Created</th>
                <th scope="col"><span class="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {users.data.map((u) => (
                <tr key={u.id}>
                  <td>{u.email}</td>
                  <td>{u.display_name}</td>
                  <td>{u.role}</td>
                  <td>{u.has_password ? "set" : "none"}</td>
                  <td>{when(u.created_at)}</td>
                  <td>
                    {u.email !== me.email && (
                      <DeleteButton
                        what={`user ${u.email}`}
                        onConfirm={async () => {
                          await api.users.delete(u.id, { ifMatch: u.etag });
                          users.reload();
                        }}
                      />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form class="card form" onSubmit={submit} noValidate aria-labelledby="new-user-title">
        <h2 id="new-user-title">New user</h2>
        <div class="grid">
          <Field label="Email" error={err("/email")}>{(a) => <input {...a} name="email" type="email" value={d.email} onInput={set("email")} />}</Field>
          <Field label="Display name" error={err("/display_name")}>
            {(a) => <input {...a} name="display_name" value={d.name} onInput={set("name")} />}
          </Field>
          <Field label="Role" error={err("/role")}>
            {(a) => (
              <select {...a} name="role" value={d.role} onChange={set("role")}>
                {roleValues.map((r) => (
                  <option key={r} value={r}>
                    {r}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Password" hint="At least 12 characters" error={err("/password")}>
            {(a) => <input {...a} name="password" type="password" autocomplete="new-password" value={d.password} onInput={set("password")} />}
          </Field>
        </div>
        {errors.general && (
          <p class="alert" role="alert">
            {errors.general}
          </p>
        )}
        <div class="actions">
          <button type="submit">Create user</button>
        </div>
      </form>
    </Page>
  );
}
