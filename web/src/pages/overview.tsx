import { useEffect, useMemo, useRef, useState } from "preact/hooks";

import type { FleetStatus } from "@patronus-sdwan/sdk";

import { describe, poller, raw } from "../api";
import { A, ErrorNote, HealthBadge, Loading, Page, useInterval, when } from "../ui";

/** How often the overview asks whether anything changed (a 304 when nothing did). */
const POLL_MS = 5000;

export function OverviewPage() {
  const [fleet, setFleet] = useState<FleetStatus>();
  const [error, setError] = useState<string>();
  const [checked, setChecked] = useState<Date>();
  const read = useMemo(() => poller((header) => raw.GET("/v1/fleet/status", { params: { header } })), []);

  const poll = async () => {
    try {
      setFleet(await read());
      setError(undefined);
      setChecked(new Date());
    } catch (e) {
      setError(describe(e));
    }
  };
  useEffect(() => {
    void poll();
  }, []);
  // For the benchmark (web/tests/bench-overview.mjs): when the first overview is on screen.
  const marked = useRef(false);
  useEffect(() => {
    if (fleet && !marked.current) {
      marked.current = true;
      performance.mark("patronus:overview-rendered");
    }
  }, [fleet]);
  useInterval(() => void poll(), POLL_MS);

  return (
    <Page title="Fleet overview">
      {error && <ErrorNote error={error} />}
      {!fleet && !error && <Loading what="the fleet" />}
      {fleet && (
        <>
          <ul class="counts" aria-label="Sites by health">
            <li class="count">
              <span class="n" data-testid="count-sites">{fleet.sites}</span> sites
            </li>
            {(["online", "degraded", "offline", "unenrolled"] as const).map((h) => (
              <li key={h} class={`count health-${h}`}>
                <span class="n" data-testid={`count-${h}`}>
                  {fleet.health[h]}
                </span>{" "}
                {h}
              </li>
            ))}
          </ul>
          <p class="muted" aria-live="polite">
            Live: checked for changes at {checked?.toLocaleTimeString() ?? "—"} (every {POLL_MS / 1000} s).
          </p>

          <h2>Sites needing attention</h2>
          {fleet.attention.length === 0 ? (
            <p>Every site is online.</p>
          ) : (
            <div class="scroll">
              <table id="attention">
                <thead>
                  <tr>
                    <th scope="col">Site</th>
                    <th scope="col">Health</th>
                    <th scope="col">Why</th>
                    <th scope="col">Last report</th>
                  </tr>
                </thead>
                <tbody>
                  {fleet.attention.map((s) => (
                    <tr key={s.site_id}>
                      <td>
                        <A href={`/sites/${s.site_id}`}>{s.name}</A>
                      </td>
                      <td>
                        <HealthBadge health={s.health} />
                      </td>
                      <td>{s.reason ?? ""}</td>
                      <td>{when(s.last_seen_at)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {fleet.attention.length < fleet.sites - fleet.health.online && (
            <p class="muted">
              The {fleet.attention.length} worst of {fleet.sites - fleet.health.online} sites that are not online.
            </p>
          )}

          <h2>Recent failovers</h2>
          {fleet.recent_failovers.length === 0 ? (
            <p>No path changes reported.</p>
          ) : (
            <div class="scroll">
              <table>
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Site</th>
                    <th scope="col">Towards</th>
                    <th scope="col">Policy</th>
                    <th scope="col">From → to link</th>
                    <th scope="col">Reason</th>
                  </tr>
                </thead>
                <tbody>
                  {fleet.recent_failovers.map((f) => (
                    <tr key={f.id}>
                      <td>{when(f.at)}</td>
                      <td>
                        <A href={`/sites/${f.site_id}`}>{fleet.site_names[f.site_id] ?? f.site_id}</A>
                      </td>
                      <td>{fleet.site_names[f.peer_site_id] ?? f.peer_site_id}</td>
                      <td>{f.policy ?? "(unclassified traffic)"}</td>
                      <td>
                        {f.from_link ?? "none"} → {f.to_link ?? "none"}
                      </td>
                      <td>{f.reason.replace("_", " ")}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </Page>
  );
}
