/**
 * Typed errors. Every error response of the API is an RFC 9457 problem document; an
 * {@link ApiError} carries it whole, and its subclass tells the kind:
 *
 * ```ts
 * try {
 *   await client.sites.update(site.id, { name: "x" }, { ifMatch: staleEtag });
 * } catch (e) {
 *   if (e instanceof PreconditionFailedError) { ... } // someone else changed the site
 * }
 * ```
 */

/** Base class of every error this SDK throws on purpose. */
export class PatronusError extends Error {
  override name = "PatronusError";
}

/** The client has no URL or token (options or `PATRONUS_URL` / `PATRONUS_TOKEN`). */
export class ConfigurationError extends PatronusError {
  override name = "ConfigurationError";
}

/** One invalid field: `pointer` is a JSON Pointer into the request body (`/lan_prefixes/0`). */
export interface FieldError {
  pointer: string;
  detail: string;
}

/** The server answered with an error status and (normally) a problem+json body. */
export class ApiError extends PatronusError {
  override name = "ApiError";
  readonly status: number;
  /** Stable identifier of the problem, e.g. `https://patronus.dev/problems/validation`. */
  readonly type: string;
  readonly title: string;
  readonly detail: string | undefined;
  /** The invalid fields of a validation problem. */
  readonly errors: FieldError[];
  /** The whole problem document. */
  readonly problem: Record<string, unknown>;
  readonly headers: Headers;
  readonly requestId: string | undefined;

  constructor(status: number, problem: Record<string, unknown>, headers: Headers = new Headers()) {
    const type = typeof problem.type === "string" ? problem.type : "about:blank";
    const title = typeof problem.title === "string" ? problem.title : `HTTP ${status}`;
    const detail = typeof problem.detail === "string" ? problem.detail : undefined;
    const errors: FieldError[] = Array.isArray(problem.errors)
      ? problem.errors
          .filter((e): e is Record<string, unknown> => typeof e === "object" && e !== null)
          .map((e) => ({ pointer: String(e.pointer ?? ""), detail: String(e.detail ?? "") }))
      : [];
    let message = `${status} ${title}`;
    if (detail) message += `: ${detail}`;
    if (errors.length > 0) message += ` (${errors.map((e) => `${e.pointer}: ${e.detail}`).join("; ")})`;
    super(message);
    this.status = status;
    this.type = type;
    this.title = title;
    this.detail = detail;
    this.errors = errors;
    this.problem = problem;
    this.headers = headers;
    this.requestId = headers.get("x-request-id") ?? undefined;
  }

  /** The last segment of `type`: `validation`, `not-found`, `precondition-failed`... */
  get kind(): string {
    return this.type.replace(/\/+$/, "").split("/").pop() ?? "";
  }
}

/** 400: the request could not be read. */
export class BadRequestError extends ApiError {
  override name = "BadRequestError";
}
/** 401: no credential, or one that is unknown, expired or revoked. */
export class UnauthorizedError extends ApiError {
  override name = "UnauthorizedError";
}
/** 403: the credential's role may not do this. */
export class ForbiddenError extends ApiError {
  override name = "ForbiddenError";
}
/** 404: no such object in this tenant (also what a DELETE of a missing object answers). */
export class NotFoundError extends ApiError {
  override name = "NotFoundError";
}
/** 409: a name already taken, an object still in use, an Idempotency-Key still in progress. */
export class ConflictError extends ApiError {
  override name = "ConflictError";
}
/** 412: the `If-Match` ETag is stale: the object changed since it was read. */
export class PreconditionFailedError extends ApiError {
  override name = "PreconditionFailedError";
}
/** 413: the body is over the server's limit. */
export class PayloadTooLargeError extends ApiError {
  override name = "PayloadTooLargeError";
}
/** 422: invalid fields; `errors` says which, with JSON Pointers. */
export class ValidationError extends ApiError {
  override name = "ValidationError";
}
/** 429 after the retries ran out. */
export class RateLimitedError extends ApiError {
  override name = "RateLimitedError";
}
/** 5xx: a bug or an outage on the server's side. */
export class ServerError extends ApiError {
  override name = "ServerError";
}
/** 503 after the retries ran out. */
export class ServiceUnavailableError extends ServerError {
  override name = "ServiceUnavailableError";
}

const byStatus: Record<number, typeof ApiError> = {
  400: BadRequestError,
  401: UnauthorizedError,
  403: ForbiddenError,
  404: NotFoundError,
  409: ConflictError,
  412: PreconditionFailedError,
  413: PayloadTooLargeError,
  422: ValidationError,
  429: RateLimitedError,
  503: ServiceUnavailableError,
};

/** The typed error for an error response; `body` is what openapi-fetch parsed (JSON or text). */
export function apiError(response: Response, body: unknown): ApiError {
  let problem: Record<string, unknown>;
  if (typeof body === "object" && body !== null && !Array.isArray(body)) {
    problem = body as Record<string, unknown>;
  } else if (typeof body === "string" && body !== "") {
    problem = { detail: body.slice(0, 500) };
  } else {
    problem = {};
  }
  const cls = byStatus[response.status] ?? (response.status >= 500 ? ServerError : ApiError);
  return new cls(response.status, problem, response.headers);
}
