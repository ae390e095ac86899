// The browser session: the one module that knows how the portal is signed in.
//
// Today the API's password login (`POST /v1/auth/login`) answers a JWT access token (15 minutes)
// and a rotating refresh token. The access token lives in this module's memory only, never in
// localStorage or a cookie. The refresh token is kept in sessionStorage (this tab only, gone when
// the tab closes) so that a reload does not sign the user out; it is spent and replaced at every
// refresh, and `logout` ends it on the server. When the server offers an HttpOnly cookie session,
// only this file changes: `authorizedFetch` then sends `credentials: "include"` and the CSRF
// header instead of the bearer token, and `restore`/`login`/`logout` call the cookie endpoints.

import type { LoginRequest, TokenPair } from "@patronus-sdwan/sdk";

const REFRESH_KEY = "patronus.refresh";

let accessToken: string | undefined;
let accessExpiresAt = 0;
let refreshing: Promise<boolean> | undefined;
const listeners = new Set<(signedIn: boolean) => void>();

function store(pair: TokenPair): void {
  accessToken = pair.access_token;
  // Refresh a minute early so that a request never leaves with a token about to expire.
  accessExpiresAt = Date.now() + Math.max(0, pair.expires_in - 60) * 1000;
  sessionStorage.setItem(REFRESH_KEY, pair.refresh_token);
}

function clear(): void {
  const had = accessToken !== undefined;
  accessToken = undefined;
  accessExpiresAt = 0;
  sessionStorage.removeItem(REFRESH_KEY);
  if (had) for (const l of listeners) l(false);
}

async function postJson(path: string, body: unknown): Promise<Response> {
  return fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json, application/problem+json" },
    body: JSON.stringify(body),
  });
}

/** Why a sign-in failed, in words for the form. */
export class SignInError extends Error {
  override name = "SignInError";
}

/** Signs in with a password. Throws a SignInError with the server's words when refused. */
export async function login(request: LoginRequest): Promise<void> {
  const response = await postJson("/v1/auth/login", request);
  if (!response.ok) {
    let detail = `sign-in failed (HTTP ${response.status})`;
    try {
      const problem = (await response.json()) as { detail?: unknown; title?: unknown };
      if (typeof problem.detail === "string") detail = problem.detail;
      else if (typeof problem.title === "string") detail = problem.title;
    } catch {
      // not a problem document: keep the status
    }
    throw new SignInError(detail);
  }
  store((await response.json()) as TokenPair);
  for (const l of listeners) l(true);
}

/** Exchanges the refresh token for a new pair; false when there is none or it is refused. */
function refresh(): Promise<boolean> {
  refreshing ??= (async () => {
    const token = sessionStorage.getItem(REFRESH_KEY);
    if (!token) return false;
    try {
      const response = await postJson("/v1/auth/refresh", { refresh_token: token });
      if (!response.ok) {
        clear();
        return false;
      }
      store((await response.json()) as TokenPair);
      return true;
    } catch {
      return false;
    } finally {
      refreshing = undefined;
    }
  })();
  return refreshing;
}

/** Resumes the session of this tab after a reload; false when the user must sign in. */
export async function restore(): Promise<boolean> {
  if (accessToken !== undefined) return true;
  return refresh();
}

/** Ends the session on the server and forgets it here. */
export async function logout(): Promise<void> {
  const token = sessionStorage.getItem(REFRESH_KEY);
  if (token) {
    try {
      await postJson("/v1/auth/logout", { refresh_token: token });
    } catch {
      // the server is away: the session is forgotten here all the same
    }
  }
  clear();
}

export function signedIn(): boolean {
  return accessToken !== undefined;
}

/** Calls `listener(false)` when the session ends (logout, or a refresh the server refused). */
export function onSessionChange(listener: (signedIn: boolean) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** fetch for the API client: adds the credential, refreshes it when it is about to expire or
 * the server answers 401, and retries that request once. */
export async function authorizedFetch(request: Request): Promise<Response> {
  if (accessToken !== undefined && Date.now() >= accessExpiresAt) await refresh();
  const retry = request.clone();
  const send = (r: Request) => {
    if (accessToken !== undefined) r.headers.set("Authorization", `Bearer ${accessToken}`);
    return fetch(r);
  };
  const response = await send(request);
  if (response.status !== 401 || accessToken === undefined) return response;
  if (!(await refresh())) return response;
  return send(retry);
}
