// The API client: the SDK's resource classes over an openapi-fetch client typed by the generated
// spec, sending every request through the session module.

import createClient from "openapi-fetch";
import {
  ApiError,
  ApiTokens,
  AuditEvents,
  Links,
  Peerings,
  Policies,
  QosClasses,
  Sites,
  TopologyResource,
  IdentityProviderResource,
  Users,
  type paths,
} from "@patronus-sdwan/sdk";

import { authorizedFetch } from "./session";

export const raw = createClient<paths>({
  baseUrl: location.origin,
  fetch: authorizedFetch,
  headers: { Accept: "application/json, application/problem+json" },
});

export const api = {
  sites: new Sites(raw),
  links: new Links(raw),
  qosClasses: new QosClasses(raw),
  policies: new Policies(raw),
  peerings: new Peerings(raw),
  topology: new TopologyResource(raw),
  identityProvider: new IdentityProviderResource(raw),
  users: new Users(raw),
  apiTokens: new ApiTokens(raw),
  auditEvents: new AuditEvents(raw),
};

interface Result<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The body of a successful call, or an ApiError carrying the problem document. */
export async function ok<T>(call: Promise<Result<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) {
    const problem =
      typeof error === "object" && error !== null ? (error as Record<string, unknown>) : { detail: String(error ?? "") };
    throw new ApiError(response.status, problem, response.headers);
  }
  return data as T;
}

/** A message for people from whatever a call threw. */
export function describe(e: unknown): string {
  if (e instanceof ApiError) return e.detail ?? e.title;
  if (e instanceof Error) return e.message;
  return String(e);
}

/** A read for polling: sends the ETag of its last answer as If-None-Match and, when the server
 * answers 304, gives that answer again (the same object, so nothing re-renders). */
export function poller<T>(read: (header: { "If-None-Match"?: string }) => Promise<Result<T>>): () => Promise<T> {
  let last: { etag: string; data: T } | undefined;
  return async () => {
    const call = read(last ? { "If-None-Match": last.etag } : {});
    const { response } = await call;
    if (response.status === 304 && last) return last.data;
    const data = await ok(call);
    const etag = response.headers.get("ETag");
    last = etag ? { etag, data } : undefined;
    return data;
  };
}
