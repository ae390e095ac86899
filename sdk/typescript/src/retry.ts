/**
 * Retries with backoff, as a `fetch` underneath every request the client sends.
 *
 * - 429 and 503 are retried, waiting what `Retry-After` says (seconds or an HTTP date), or else an
 *   exponential backoff with full jitter; a GET, PUT or POST that failed without any response
 *   (network error) is retried too.
 * - Every POST carries an `Idempotency-Key` (a fresh UUID unless the caller set one), the same on
 *   every attempt, so a retried POST whose first attempt did reach the server is answered with the
 *   first response (`Idempotent-Replayed: true`) and never creates twice.
 */

export type Fetch = (input: Request) => Promise<Response>;

export interface RetryPolicy {
  /** Attempts after the first one (default 5); 0 turns retries off. */
  maxRetries: number;
  /** Milliseconds; attempt n waits up to `backoffBaseMs * 2^n` without Retry-After (default 500). */
  backoffBaseMs: number;
  /** No single wait is longer than this, whatever Retry-After says (default 30000). */
  backoffMaxMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { maxRetries: 5, backoffBaseMs: 500, backoffMaxMs: 30_000 };

const RETRY_STATUSES = new Set([429, 503]);
const REPEATABLE = new Set(["GET", "HEAD", "OPTIONS", "PUT", "POST"]);

/** `Retry-After` in milliseconds from now: delta-seconds or an HTTP date (RFC 9110). */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const when = Date.parse(v);
  return Number.isNaN(when) ? undefined : Math.max(when - now, 0);
}

export function delayMs(policy: RetryPolicy, attempt: number, retryAfterMs: number | undefined): number {
  if (retryAfterMs !== undefined) return Math.min(Math.max(retryAfterMs, 0), policy.backoffMaxMs);
  const ceiling = Math.min(policy.backoffBaseMs * 2 ** attempt, policy.backoffMaxMs);
  return Math.random() * ceiling;
}

/** A random UUID (v4), from `crypto.randomUUID` where the platform has it. */
export function randomUUID(): string {
  const c = globalThis.crypto;
  if (typeof c?.randomUUID === "function") return c.randomUUID();
  const b = new Uint8Array(16);
  c.getRandomValues(b);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function sleep(ms: number, signal: AbortSignal | null): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Wraps `inner` (by default the global fetch) with the retries described above. */
export function retryingFetch(policy: RetryPolicy, inner?: Fetch): Fetch {
  return async (input: Request): Promise<Response> => {
    const send: Fetch = inner ?? ((r) => globalThis.fetch(r));
    const headers = new Headers(input.headers);
    if (input.method === "POST" && !headers.has("Idempotency-Key")) headers.set("Idempotency-Key", randomUUID());
    // The body is read once and sent again on every attempt.
    const body = input.body === null ? undefined : await input.arrayBuffer();
    for (let attempt = 0; ; attempt++) {
      const request = new Request(input.url, {
        method: input.method,
        headers,
        body,
        signal: input.signal,
        redirect: input.redirect,
        credentials: input.credentials,
      });
      let response: Response;
      try {
        response = await send(request);
      } catch (err) {
        // Without a response nobody knows whether the server acted: only methods that are safe to
        // repeat (POST is, with its Idempotency-Key) are sent again.
        if (attempt >= policy.maxRetries || input.signal?.aborted || !REPEATABLE.has(input.method)) throw err;
        await sleep(delayMs(policy, attempt, undefined), input.signal);
        continue;
      }
      if (!RETRY_STATUSES.has(response.status) || attempt >= policy.maxRetries) return response;
      const wait = delayMs(policy, attempt, parseRetryAfter(response.headers.get("Retry-After")));
      await response.body?.cancel();
      await sleep(wait, input.signal);
    }
  };
}
