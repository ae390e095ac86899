import { useEffect, useState } from "preact/hooks";

import { login, loginMethods, SignInError } from "../session";
import { Field, inputValue } from "../ui";

// Sign-in: a password, or single sign-on when the organisation has an identity provider (the
// button appears once the organisation's slug is typed and the server says it has one).
export function SignInPage(props: { onSignedIn: () => void }) {
  const [tenant, setTenant] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [sso, setSso] = useState<string>();
  useEffect(() => {
    document.title = "Sign in · Patronus";
    // A failed single sign-on comes back here with the server's reason; show it once, and keep
    // it out of the address bar (a reload or a shared link should not repeat it).
    const query = new URLSearchParams(location.search);
    const ssoError = query.get("sso_error");
    if (ssoError) {
      setError(`Single sign-on failed: ${ssoError}`);
      query.delete("sso_error");
      const rest = query.toString();
      history.replaceState(null, "", `${location.pathname}${rest ? `?${rest}` : ""}`);
    }
  }, []);
  useEffect(() => {
    const slug = tenant.trim();
    setSso(undefined);
    if (!slug) return;
    let live = true;
    const timer = setTimeout(() => {
      void loginMethods(slug).then((m) => {
        if (live && m?.sso && m.sso_login_url) setSso(m.sso_login_url);
      });
    }, 300);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [tenant]);

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
        {sso && (
          <p class="sso">
            <a class="button secondary" href={sso} id="sso">
              Sign in with SSO
            </a>
          </p>
        )}
      </form>
    </main>
  );
}
