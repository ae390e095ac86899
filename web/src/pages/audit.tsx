import { useState } from "preact/hooks";

import { ok, raw } from "../api";
import { navigate, queryString } from "../router";
import { ErrorNote, Field, Loading, Page, Pager, useAsync, when } from "../ui";

const RESOURCE_TYPES = [
  "site",
  "link",
  "topology",
  "peering",
  "qos_class",
  "policy",
  "enrollment_token",
  "agent",
  "user",
  "api_token",
  "tenant",
];
const PAGE_SIZE = 50;

/** The `name` (or `email`) a before/after snapshot carries, to tell resources apart. */
function resourceName(snapshot: unknown): string | undefined {
  if (typeof snapshot !== "object" || snapshot === null) return undefined;
  const s = snapshot as { name?: unknown; email?: unknown };
  if (typeof s.name === "string") return s.name;
  if (typeof s.email === "string") return s.email;
  return undefined;
}

/** `datetime-local` value (local time) → RFC 3339, or undefined when empty. */
function rfc3339(local: string): string | undefined {
  if (!local) return undefined;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

export function AuditPage(props: { query: URLSearchParams }) {
  const q = props.query;
  const filters = {
    resource_type: q.get("resource_type") ?? "",
    action: q.get("action") ?? "",
    resource_id: q.get("resource_id") ?? "",
    actor_id: q.get("actor_id") ?? "",
    since: q.get("since") ?? "",
    until: q.get("until") ?? "",
  };
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const page = useAsync(
    () =>
      ok(
        raw.GET("/v1/audit-events", {
          params: {
            query: {
              resource_type: filters.resource_type || undefined,
              action: filters.action || undefined,
              resource_id: filters.resource_id || undefined,
              actor_id: filters.actor_id || undefined,
              since: rfc3339(filters.since),
              until: rfc3339(filters.until),
              cursor,
              limit: PAGE_SIZE,
            },
          },
        }),
      ),
    [q.toString(), cursor],
  );

  const apply = (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    const get = (k: string) => String(f.get(k) ?? "").trim();
    setCursors([]);
    navigate(
      `/audit${queryString({
        resource_type: get("resource_type"),
        action: get("action"),
        resource_id: get("resource_id"),
        actor_id: get("actor_id"),
        since: get("since"),
        until: get("until"),
      })}`,
    );
  };

  return (
    <Page title="Audit log">
      <form class="filters" onSubmit={apply} role="search" aria-label="Filter the audit log">
        <Field label="Resource type">
          {(a) => (
            <select {...a} name="resource_type" value={filters.resource_type}>
              <option value="">any</option>
              {RESOURCE_TYPES.map((t) => (
                <option key={t} value={t}>
                  {t.replace("_", " ")}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Action" hint="e.g. site.create">
          {(a) => <input {...a} name="action" value={filters.action} />}
        </Field>
        <Field label="Resource id">{(a) => <input {...a} name="resource_id" value={filters.resource_id} />}</Field>
        <Field label="Actor id">{(a) => <input {...a} name="actor_id" value={filters.actor_id} />}</Field>
        <Field label="Since">{(a) => <input {...a} name="since" type="datetime-local" value={filters.since} />}</Field>
        <Field label="Until">{(a) => <input {...a} name="until" type="datetime-local" value={filters.until} />}</Field>
        <button type="submit">Filter</button>
      </form>
      <p class="muted">Oldest first, {PAGE_SIZE} a page. Secrets are redacted by the server.</p>
      {page.error && <ErrorNote error={page.error} />}
      {page.loading && !page.data && <Loading what="audit events" />}
      {page.data &&
        (page.data.items.length === 0 ? (
          <p>No events match.</p>
        ) : (
          <div class="scroll">
            <table id="audit">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Actor</th>
                  <th scope="col">Action</th>
                  <th scope="col">Resource</th>
                  <th scope="col">Change</th>
                </tr>
              </thead>
              <tbody>
                {page.data.items.map((ev) => (
                  <tr key={ev.id}>
                    <td>{when(ev.occurred_at)}</td>
                    <td>
                      {ev.actor_name} <span class="muted">({ev.actor_type.replace("_", " ")})</span>
                    </td>
                    <td>
                      <code>{ev.action}</code>
                    </td>
                    <td>
                      {ev.resource_type.replace("_", " ")} {resourceName(ev.after) ?? resourceName(ev.before) ?? ""}{" "}
                      <code class="muted" title={ev.resource_id}>
                        …{ev.resource_id.slice(-8)}
                      </code>
                    </td>
                    <td>
                      <details>
                        <summary>before / after</summary>
                        <pre class="json" tabIndex={0}>
                          {JSON.stringify({ before: ev.before ?? null, after: ev.after ?? null }, null, 2)}
                        </pre>
                      </details>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
      {page.data && (
        <Pager
          hasPrevious={cursors.length > 0}
          next={page.data.next_cursor ?? undefined}
          onPrevious={() => setCursors((c) => c.slice(0, -1))}
          onNext={(c) => setCursors((cs) => [...cs, c])}
        />
      )}
    </Page>
  );
}
