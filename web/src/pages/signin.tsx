import { useEffect, useState } from "preact/hooks";

import { login, SignInError } from "../session";
import { Field, inputValue } from "../ui";

// Password sign-in. Single sign-on appears here once the server offers it.
export function SignInPage(props: { onSignedIn: () => void }) {
  const [tenant, setTenant] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    document.title = "Sign in · Patronus";
  }, []);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await login({ tenant: tenant.trim(), email: email.trim(), password });
      props.onSignedIn();
    } catch (err) {
      setError(err instanceof SignInError ? err.message : "The server could not be reached");
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" class="center">
      <form class="card signin" onSubmit={submit} aria-labelledby="signin-title">
        <h1 id="signin-title">Sign in to Patronus</h1>
        <Field label="Organisation">
          {(a) => (
            <input {...a} name="tenant" autocomplete="organization" required value={tenant}
              onInput={(e) => setTenant(inputValue(e))} />
          )}
        </Field>
        <Field label="Email">
          {(a) => (
            <input {...a} name="email" type="email" autocomplete="username" required value={email}
              onInput={(e) => setEmail(inputValue(e))} />
          )}
        </Field>
        <Field label="Password">
          {(a) => (
            <input {...a} name="password" type="password" autocomplete="current-password" required value={password}
              onInput={(e) => setPassword(inputValue(e))} />
          )}
        </Field>
        {error && (
          <p class="alert" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
