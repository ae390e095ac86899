// Building blocks shared by the pages: links, loading, forms with the API's field errors, badges,
// a copy button, a cursor pager.

import type { ComponentChildren, JSX } from "preact";
import { createContext } from "preact";
import { useCallback, useContext, useEffect, useRef, useState } from "preact/hooks";

import { ApiError, type Role, type SiteHealth } from "@patronus-sdwan/sdk";

import { describe } from "./api";
import { onLinkClick } from "./router";

// ---- who is signed in ----------------------------------------------------------------------

export interface Me {
  email: string;
  role: Role;
}

export const MeContext = createContext<Me>({ email: "", role: "viewer" });

export function useMe(): Me {
  return useContext(MeContext);
}

/** Operators and admins write network configuration; viewers only read. */
export function canWrite(me: Me): boolean {
  return me.role === "operator" || me.role === "admin";
}

/** Only admins manage users and tokens. */
export function isAdmin(me: Me): boolean {
  return me.role === "admin";
}

// ---- navigation and loading ----------------------------------------------------------------

export function A(props: { href: string; children: ComponentChildren; class?: string; "aria-current"?: "page" }) {
  return (
    <a href={props.href} class={props.class} aria-current={props["aria-current"]} onClick={onLinkClick}>
      {props.children}
    </a>
  );
}

export interface Async<T> {
  data: T | undefined;
  error: string | undefined;
  loading: boolean;
  reload: () => void;
}

/** Runs `load` when `deps` change; `reload` runs it again. */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[]): Async<T> {
  const [state, setState] = useState<{ data?: T; error?: string; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, loading: false }),
      (e: unknown) => live && setState({ error: describe(e), loading: false }),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

/** Calls `tick` every `ms` while the page is visible. */
export function useInterval(tick: () => void, ms: number): void {
  const saved = useRef(tick);
  saved.current = tick;
  useEffect(() => {
    const id = setInterval(() => {
      if (document.visibilityState === "visible") saved.current();
    }, ms);
    return () => clearInterval(id);
  }, [ms]);
}

export function Loading(props: { what: string }) {
  return (
    <p class="muted" role="status">
      Loading {props.what}…
    </p>
  );
}

export function ErrorNote(props: { error: string }) {
  return (
    <p class="alert" role="alert">
      {props.error}
    </p>
  );
}

export function Page(props: { title: string; actions?: ComponentChildren; children: ComponentChildren }) {
  useEffect(() => {
    document.title = `${props.title} · Patronus`;
  }, [props.title]);
  return (
    <section class="page" aria-labelledby="page-title">
      <header class="page-head">
        <h1 id="page-title">{props.title}</h1>
        {props.actions && <div class="actions">{props.actions}</div>}
      </header>
      {props.children}
    </section>
  );
}

// ---- forms and the API's field errors --------------------------------------------------------

/** The field errors of a failed write, by JSON Pointer, and the rest of its message. */
export interface FormErrors {
  fields: Map<string, string>;
  general: string | undefined;
}

export const noErrors: FormErrors = { fields: new Map(), general: undefined };

/** Splits what a write threw into errors the form shows next to its fields (`known` are the
 * pointers it has fields for, matched by prefix) and one message for the rest. */
export function formErrors(e: unknown, known: string[]): FormErrors {
  if (!(e instanceof ApiError)) return { fields: new Map(), general: describe(e) };
  const fields = new Map<string, string>();
  const rest: string[] = [];
  for (const { pointer, detail } of e.errors) {
    const field = known
      .filter((k) => pointer === k || pointer.startsWith(`${k}/`))
      .sort((a, b) => b.length - a.length)[0];
    if (field === undefined) {
      rest.push(`${pointer}: ${detail}`);
      continue;
    }
    const item = pointer.slice(field.length).match(/^\/(\d+)$/);
    const text = item ? `${detail} (item ${Number(item[1]) + 1})` : detail;
    fields.set(field, fields.has(field) ? `${fields.get(field)}; ${text}` : text);
  }
  const general =
    rest.length > 0 ? rest.join("; ") : e.errors.length === 0 ? describe(e) : undefined;
  return { fields, general };
}

let fieldIds = 0;

/** A labelled input with its error from the API next to it. */
export function Field(props: {
  label: string;
  error?: string | undefined;
  hint?: string;
  children: (attrs: { id: string; "aria-invalid"?: "true"; "aria-describedby"?: string }) => JSX.Element;
}) {
  const [id] = useState(() => `f${++fieldIds}`);
  const described = [props.hint ? `${id}-hint` : "", props.error ? `${id}-err` : ""].filter(Boolean).join(" ");
  return (
    <div class={props.error ? "field invalid" : "field"}>
      <label for={id}>{props.label}</label>
      {props.children({
        id,
        ...(props.error ? { "aria-invalid": "true" as const } : {}),
        ...(described ? { "aria-describedby": described } : {}),
      })}
      {props.hint && (
        <small id={`${id}-hint`} class="hint">
          {props.hint}
        </small>
      )}
      {props.error && (
        <p id={`${id}-err`} class="field-error">
          {props.error}
        </p>
      )}
    </div>
  );
}

export function inputValue(e: Event): string {
  return (e.currentTarget as HTMLInputElement).value;
}

/** "a, b c" → ["a", "b", "c"] */
export function splitList(s: string): string[] {
  return s
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean);
}

/** "k=v, k2=v2" → { k: "v", k2: "v2" } (an entry without "=" is kept with an empty value, so
 * that the server names it). */
export function parseLabels(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of s.split(",").map((x) => x.trim()).filter(Boolean)) {
    const [k, ...v] = item.split("=");
    out[(k ?? "").trim()] = v.join("=").trim();
  }
  return out;
}

/** A number field's value, or undefined when empty (the server then takes its default). */
export function optNumber(s: string): number | undefined {
  return s.trim() === "" ? undefined : Number(s);
}

// ---- small displays ----------------------------------------------------------------------------

const healthText: Record<SiteHealth, string> = {
  online: "Online",
  degraded: "Degraded",
  offline: "Offline",
  unenrolled: "Unenrolled",
};

export function HealthBadge(props: { health: SiteHealth }) {
  return <span class={`badge health-${props.health}`}>{healthText[props.health]}</span>;
}

export function when(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  return d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" });
}

/** A secret shown this once, with a button that copies it. */
export function SecretOnce(props: { label: string; secret: string; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.secret);
      setCopied(true);
    } catch {
      const el = document.getElementById("secret-value");
      if (el) getSelection()?.selectAllChildren(el);
    }
  };
  return (
    <div class="secret" role="region" aria-label={props.label}>
      <p>
        <strong>{props.label}</strong>: shown this once. Store it now; it cannot be read again.
      </p>
      <code id="secret-value" class="secret-value">
        {props.secret}
      </code>
      <div class="actions">
        <button type="button" onClick={copy}>
          {copied ? "Copied" : "Copy"}
        </button>
        <button type="button" class="secondary" onClick={props.onDone}>
          Done
        </button>
      </div>
    </div>
  );
}

/** Previous/next over cursor pages: `cursors` is the stack of cursors of the pages before. */
export function Pager(props: {
  hasPrevious: boolean;
  next: string | undefined;
  onPrevious: () => void;
  onNext: (cursor: string) => void;
}) {
  if (!props.hasPrevious && !props.next) return null;
  return (
    <nav class="pager" aria-label="Pages">
      <button type="button" class="secondary" disabled={!props.hasPrevious} onClick={props.onPrevious}>
        Previous
      </button>
      <button
        type="button"
        class="secondary"
        disabled={!props.next}
        onClick={() => props.next && props.onNext(props.next)}
      >
        Next
      </button>
    </nav>
  );
}

/** Asks before a delete; `onConfirm` failures are shown beside the button. */
export function DeleteButton(props: { what: string; onConfirm: () => Promise<void> }) {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const run = async () => {
    if (!confirm(`Delete ${props.what}?`)) return;
    setBusy(true);
    setError(undefined);
    try {
      await props.onConfirm();
    } catch (e) {
      setError(describe(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <span>
      <button type="button" class="danger" disabled={busy} onClick={run} aria-label={`Delete ${props.what}`}>
        Delete
      </button>
      {error && (
        <span class="field-error" role="alert">
          {" "}
          {error}
        </span>
      )}
    </span>
  );
}
