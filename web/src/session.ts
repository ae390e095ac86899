// The browser session: the one module that knows how the portal is signed in.
//
// The server keeps the session: `POST /v1/auth/session` (password) or the single sign-on callback
// sets an HttpOnly cookie that this code can neither read nor send anywhere else, and the browser
// sends it with every same-origin request. What the page holds is the session's CSRF token (from
// `GET /v1/auth/session`, in memory only), which every request that changes something carries in
// `X-CSRF-Token`: a page of another site gets the cookie sent along but cannot know the token.
// `logout` ends the session on the server (`DELETE /v1/auth/session`), which also removes the
// cookie. A reload calls `restore`, which asks the server whether the cookie still names a session.

import type { BrowserSession, LoginMethods, LoginRequest } from "@patronus-sdwan/sdk";

const ACCEPT = "application/json, application/problem+json";

let csrfToken: string | undefined;
const listeners = new Set<(signedIn: boolean) => void>();

function clear(): void {
  const had = csrfToken !== undefined;
  csrfToken = undefined;
  if (had) for (const l of listeners) l(false);
}

/** Why a sign-in failed, in words for the form. */
export class SignInError extends Error {
  override name = "SignInError";
}

async function problemDetail(response: Response): Promise<string> {
  let detail = `sign-in failed (HTTP ${response.status})`;
  try {
    const problem = (await response.json()) as { detail?: unknown; title?: unknown };
    if (typeof problem.detail === "string") detail = problem.detail;
    else if (typeof problem.title === "string") detail = problem.title;
  } catch {
    // not a problem document: keep the status
  }
  return detail;
}

/** Signs in with a password. Throws a SignInError with the server's words when refused. */
export async function login(request: LoginRequest): Promise<void> {
  const response = await fetch("/v1/auth/session", {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: ACCEPT },
    body: JSON.stringify(request),
  });
  if (!response.ok) throw new SignInError(await problemDetail(response));
  csrfToken = ((await response.json()) as BrowserSession).csrf_token;
  for (const l of listeners) l(true);
}

/** Whether the tenant signs in with SSO, and where that starts; undefined when it cannot tell. */
export async function loginMethods(tenant: string): Promise<LoginMethods | undefined> {
  try {
    const response = await fetch(`/v1/auth/methods?tenant=${encodeURIComponent(tenant)}`, { headers: { Accept: ACCEPT } });
    return response.ok ? ((await response.json()) as LoginMethods) : undefined;
  } catch {
    return undefined;
  }
}

/** Resumes the session of the cookie (after a reload or an SSO login); false when the user must
 * sign in. */
export async function restore(): Promise<boolean> {
  if (csrfToken !== undefined) return true;
  try {
    const response = await fetch("/v1/auth/session", { headers: { Accept: ACCEPT } });
    if (!response.ok) return false;
    csrfToken = ((await response.json()) as BrowserSession).csrf_token;
    return true;
  } catch {
    return false;
  }
}

/** Ends the session on the server and forgets it here. */
export async function logout(): Promise<void> {
  if (csrfToken !== undefined) {
    try {
      await fetch("/v1/auth/session", { method: "DELETE", headers: { Accept: ACCEPT, "X-CSRF-Token": csrfToken } });
    } catch {
      // the server is away: the session is forgotten here all the same
    }
  }
  clear();
}

export function signedIn(): boolean {
  return csrfToken !== undefined;
}

/** Calls `listener(false)` when the session ends (logout, or the server no longer knows it). */
export function onSessionChange(listener: (signedIn: boolean) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

/** fetch for the API client: the cookie goes by itself (same origin); changes carry the CSRF
 * token. A 401 means the session ended (expired, or logged out elsewhere). */
export async function authorizedFetch(request: Request): Promise<Response> {
  if (!SAFE.has(request.method) && csrfToken !== undefined) request.headers.set("X-CSRF-Token", csrfToken);
  const response = await fetch(request);
  if (response.status === 401) clear();
  return response;
}
