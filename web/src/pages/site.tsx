import { useMemo, useState } from "preact/hooks";

import {
  type CompiledConfig,
  type EnrollmentTokenCreated,
  type LinkKind,
  linkKindValues,
  type NewLink,
  type PathHistory,
  type Site,
  type SiteRole,
  siteRoleValues,
  type SitePaths,
  type SiteStatus,
} from "@patronus-sdwan/sdk";

import { ApiError } from "@patronus-sdwan/sdk";

import { api, describe, ok, poller, raw } from "../api";
import { navigate } from "../router";
import {
  A,
  type Async,
  canWrite,
  DeleteButton,
  ErrorNote,
  Field,
  type FormErrors,
  formErrors,
  HealthBadge,
  inputValue,
  Loading,
  noErrors,
  optNumber,
  Page,
  parseLabels,
  SecretOnce,
  splitList,
  useAsync,
  useInterval,
  useMe,
  when,
} from "../ui";

/** The site page polls its status and paths this often, with If-None-Match (a 304 when unchanged);
 * the path history, which moves with the clock, is read again each time. */
const POLL_MS = 10000;

interface Live {
  status: SiteStatus;
  paths: SitePaths;
  history: PathHistory;
}

function livePollers(id: string) {
  const path = { path: { id } };
  const status = poller((header) => raw.GET("/v1/sites/{id}/status", { params: { ...path, header } }));
  const paths = poller((header) => raw.GET("/v1/sites/{id}/paths", { params: { ...path, header } }));
  return async (): Promise<Live> => {
    const [s, p, history] = await Promise.all([
      status(),
      paths(),
      ok(raw.GET("/v1/sites/{id}/paths/history", { params: { path: { id }, query: { step: 60 } } })),
    ]);
    return { status: s, paths: p, history };
  };
}

export function SitePage(props: { id: string }) {
  const me = useMe();
  const site = useAsync(() => api.sites.get(props.id), [props.id]);
  const [editing, setEditing] = useState(false);
  const loadLive = useMemo(() => livePollers(props.id), [props.id]);
  const live = useAsync(loadLive, [loadLive]);
  const config = useAsync(() => api.sites.config(props.id), [props.id]);
  useInterval(live.reload, POLL_MS);
  // The compiled document lists every peer with its name: the path tables name peers by it.
  const peerNames = new Map((config.data?.config.peers ?? []).map((p) => [p.site_id, p.site_name]));
  const peerName = (id: string) => peerNames.get(id) ?? `site …${id.slice(-8)}`;

  if (site.error) {
    return (
      <Page title="Site">
        <ErrorNote error={site.error} />
      </Page>
    );
  }
  if (!site.data) {
    return (
      <Page title="Site">
        <Loading what="the site" />
      </Page>
    );
  }
  const s = site.data;
  return (
    <Page
      title={`Site ${s.name}`}
      actions={
        canWrite(me) ? (
          <>
          {!editing && (
            <button type="button" class="secondary" onClick={() => setEditing(true)}>
              Edit site
            </button>
          )}
          <DeleteButton
            what={`site ${s.name}`}
            onConfirm={async () => {
              await api.sites.delete(s.id, { ifMatch: s.etag });
              navigate("/sites");
            }}
          />
          </>
        ) : undefined
      }
    >
      <p>
        {live.data ? <HealthBadge health={live.data.status.health} /> : <span class="muted">status…</span>}{" "}
        {live.data?.status.reason}
      </p>
      {editing && (
        <EditSiteForm
          site={s}
          onDone={(changed) => {
            setEditing(false);
            if (changed) site.reload();
          }}
        />
      )}
      <dl class="details">
        <dt>Role</dt>
        <dd>{s.role}</dd>
        <dt>Location</dt>
        <dd>{s.location || "—"}</dd>
        <dt>Overlay address</dt>
        <dd>{s.overlay_address}</dd>
        <dt>LAN prefixes</dt>
        <dd>{s.lan_prefixes.join(", ") || "—"}</dd>
        <dt>Listen port</dt>
        <dd>{s.listen_port}</dd>
        <dt>Labels</dt>
        <dd>
          {Object.entries(s.labels).map(([k, v]) => `${k}=${v}`).join(", ") || "—"}
        </dd>
        {s.description && (
          <>
            <dt>Description</dt>
            <dd>{s.description}</dd>
          </>
        )}
      </dl>

      <Links siteId={s.id} />
      {live.error && <ErrorNote error={live.error} />}
      {live.data && <Agent live={live.data} />}
      <Enrollment siteId={s.id} />
      {live.data && <Paths live={live.data} peerName={peerName} />}
      <Failovers siteId={s.id} peerName={peerName} />
      <Config config={config} />
    </Page>
  );
}

/** PATCH of the site's own fields, with the ETag it was read with: a change made meanwhile by
 * someone else is refused (412) rather than overwritten. */
function EditSiteForm(props: { site: Site; onDone: (changed: boolean) => void }) {
  const s = props.site;
  const [d, setD] = useState({
    name: s.name,
    location: s.location,
    description: s.description,
    role: s.role,
    lan: s.lan_prefixes.join(", "),
    port: String(s.listen_port),
    labels: Object.entries(s.labels).map(([k, v]) => `${k}=${v}`).join(", "),
  });
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const set = (k: keyof typeof d) => (e: Event) => setD({ ...d, [k]: inputValue(e) });
  const err = (p: string) => errors.fields.get(p);
  const submit = async (e: Event) => {
    e.preventDefault();
    setErrors(noErrors);
    try {
      await api.sites.update(
        s.id,
        {
          name: d.name.trim(),
          location: d.location.trim(),
          description: d.description.trim(),
          role: d.role as SiteRole,
          lan_prefixes: splitList(d.lan),
          listen_port: optNumber(d.port) ?? s.listen_port,
          labels: parseLabels(d.labels),
        },
        { ifMatch: s.etag },
      );
      props.onDone(true);
    } catch (ex) {
      if (ex instanceof ApiError && ex.status === 412) {
        setErrors({ fields: new Map(), general: "Someone changed this site since the page read it: reload the page to see the change, then edit again." });
        return;
      }
      setErrors(formErrors(ex, ["/name", "/location", "/description", "/role", "/lan_prefixes", "/listen_port", "/labels"]));
    }
  };
  return (
    <form class="card form" onSubmit={submit} noValidate aria-labelledby="edit-site-title">
      <h2 id="edit-site-title">Edit site</h2>
      <div class="grid">
        <Field label="Name" error={err("/name")}>{(a) => <input {...a} name="name" value={d.name} onInput={set("name")} />}</Field>
        <Field label="Location" error={err("/location")}>{(a) => <input {...a} name="location" value={d.location} onInput={set("location")} />}</Field>
        <Field label="Role" error={err("/role")}>
          {(a) => (
            <select {...a} name="role" value={d.role} onChange={set("role")}>
              {siteRoleValues.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="LAN prefixes" hint="Comma-separated" error={err("/lan_prefixes")}>
          {(a) => <input {...a} name="lan_prefixes" value={d.lan} onInput={set("lan")} />}
        </Field>
        <Field label="Listen port" error={err("/listen_port")}>
          {(a) => <input {...a} name="listen_port" inputMode="numeric" value={d.port} onInput={set("port")} />}
        </Field>
        <Field label="Labels" hint="key=value, comma-separated" error={err("/labels")}>
          {(a) => <input {...a} name="labels" value={d.labels} onInput={set("labels")} />}
        </Field>
      </div>
      <Field label="Description" error={err("/description")}>
        {(a) => <textarea {...a} name="description" rows={2} value={d.description} onInput={set("description")} />}
      </Field>
      {errors.general && (
        <p class="alert" role="alert">
          {errors.general}
        </p>
      )}
      <div class="actions">
        <button type="submit">Save site</button>
        <button type="button" class="secondary" onClick={() => props.onDone(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function Links(props: { siteId: string }) {
  const me = useMe();
  const links = useAsync(() => api.links.all({ site_id: props.siteId }), [props.siteId]);
  return (
    <section aria-labelledby="links-title">
      <h2 id="links-title">WAN links</h2>
      {links.error && <ErrorNote error={links.error} />}
      {links.data &&
        (links.data.length === 0 ? (
          <p>No links.</p>
        ) : (
          <div class="scroll">
            <table id="links">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Interface</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Endpoint</th>
                  <th scope="col">Up / down Mbit/s</th>
                  <th scope="col">Cost</th>
                  <th scope="col">Priority</th>
                  {canWrite(me) && <th scope="col"><span class="sr-only">Actions</span></th>}
                </tr>
              </thead>
              <tbody>
                {links.data.map((l) => (
                  <tr key={l.id}>
                    <td>{l.name}</td>
                    <td>{l.interface}</td>
                    <td>{l.kind}</td>
                    <td>{l.endpoint ?? "behind NAT"}</td>
                    <td>
                      {l.bandwidth_up_mbps} / {l.bandwidth_down_mbps}
                    </td>
                    <td>{l.cost}</td>
                    <td>{l.priority}</td>
                    {canWrite(me) && (
                      <td>
                        <DeleteButton
                          what={`link ${l.name}`}
                          onConfirm={async () => {
                            await api.links.delete(l.id, { ifMatch: l.etag });
                            links.reload();
                          }}
                        />
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
      {canWrite(me) && <NewLinkForm siteId={props.siteId} onCreated={links.reload} />}
    </section>
  );
}

function NewLinkForm(props: { siteId: string; onCreated: () => void }) {
  const blank = { name: "", interface: "", kind: "fiber" as LinkKind, endpoint: "", up: "100", down: "100", cost: "", priority: "" };
  const [draft, setDraft] = useState(blank);
  const [open, setOpen] = useState(false);
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const set = (k: keyof typeof draft) => (e: Event) => setDraft({ ...draft, [k]: inputValue(e) });
  if (!open) {
    return (
      <button type="button" class="secondary" onClick={() => setOpen(true)}>
        Add a link
      </button>
    );
  }
  const submit = async (e: Event) => {
    e.preventDefault();
    setErrors(noErrors);
    const body: NewLink = {
      site_id: props.siteId,
      name: draft.name.trim(),
      interface: draft.interface.trim(),
      kind: draft.kind,
      endpoint: draft.endpoint.trim() || null,
      bandwidth_up_mbps: Number(draft.up),
      bandwidth_down_mbps: Number(draft.down),
    };
    const cost = optNumber(draft.cost);
    const priority = optNumber(draft.priority);
    if (cost !== undefined) body.cost = cost;
    if (priority !== undefined) body.priority = priority;
    try {
      await api.links.create(body);
      setDraft(blank);
      setOpen(false);
      props.onCreated();
    } catch (err) {
      setErrors(
        formErrors(err, ["/name", "/interface", "/kind", "/endpoint", "/bandwidth_up_mbps", "/bandwidth_down_mbps", "/cost", "/priority"]),
      );
    }
  };
  const err = (p: string) => errors.fields.get(p);
  return (
    <form class="card form" onSubmit={submit} noValidate aria-label="New link">
      <div class="grid">
        <Field label="Name" error={err("/name")}>{(a) => <input {...a} value={draft.name} onInput={set("name")} />}</Field>
        <Field label="Interface" error={err("/interface")}>
          {(a) => <input {...a} value={draft.interface} onInput={set("interface")} />}
        </Field>
        <Field label="Kind" error={err("/kind")}>
          {(a) => (
            <select {...a} value={draft.kind} onChange={set("kind")}>
              {linkKindValues.map((k) => (
                <option key={k} value={k}>
                  {k}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Endpoint (host:port)" error={err("/endpoint")}>
          {(a) => <input {...a} value={draft.endpoint} onInput={set("endpoint")} />}
        </Field>
        <Field label="Up Mbit/s" error={err("/bandwidth_up_mbps")}>
          {(a) => <input {...a} inputMode="numeric" value={draft.up} onInput={set("up")} />}
        </Field>
        <Field label="Down Mbit/s" error={err("/bandwidth_down_mbps")}>
          {(a) => <input {...a} inputMode="numeric" value={draft.down} onInput={set("down")} />}
        </Field>
        <Field label="Cost" error={err("/cost")}>{(a) => <input {...a} inputMode="numeric" value={draft.cost} onInput={set("cost")} />}</Field>
        <Field label="Priority" error={err("/priority")}>
          {(a) => <input {...a} inputMode="numeric" value={draft.priority} onInput={set("priority")} />}
        </Field>
      </div>
      {errors.general && (
        <p class="alert" role="alert">
          {errors.general}
        </p>
      )}
      <div class="actions">
        <button type="submit">Create link</button>
        <button type="button" class="secondary" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function Agent(props: { live: Live }) {
  const st = props.live.status;
  const report = st.report;
  return (
    <section aria-labelledby="agent-title">
      <h2 id="agent-title">Agent</h2>
      {st.agent ? (
        <dl class="details">
          <dt>Hostname</dt>
          <dd>{st.agent.hostname}</dd>
          <dt>Version</dt>
          <dd>{st.agent.agent_version}</dd>
          <dt>Enrolled</dt>
          <dd>{when(st.agent.enrolled_at)}</dd>
          <dt>Last report</dt>
          <dd>{when(st.last_seen_at)}</dd>
          <dt>Document</dt>
          <dd>
            runs revision {report?.applied_revision ?? "—"}; current revision {st.desired_revision ?? "—"}
          </dd>
          {report?.last_error && (
            <>
              <dt>Last error</dt>
              <dd>{report.last_error}</dd>
            </>
          )}
          {st.last_control_plane_outage && (
            <>
              <dt>Last control-plane outage</dt>
              <dd>
                {when(st.last_control_plane_outage.started_at)} to {when(st.last_control_plane_outage.ended_at)}
              </dd>
            </>
          )}
        </dl>
      ) : (
        <p>No agent has enrolled for this site yet: create an enrollment token and give it to the machine that will run the agent.</p>
      )}
    </section>
  );
}

function Enrollment(props: { siteId: string }) {
  const me = useMe();
  const [secret, setSecret] = useState<EnrollmentTokenCreated>();
  const [error, setError] = useState<string>();
  const tokens = useAsync(
    () => ok(raw.GET("/v1/sites/{id}/enrollment-tokens", { params: { path: { id: props.siteId } } })),
    [props.siteId],
  );
  const create = async () => {
    setError(undefined);
    try {
      setSecret(
        await ok(raw.POST("/v1/sites/{id}/enrollment-tokens", { params: { path: { id: props.siteId } }, body: {} })),
      );
      tokens.reload();
    } catch (e) {
      setError(describe(e));
    }
  };
  return (
    <section aria-labelledby="enroll-title">
      <h2 id="enroll-title">Enrollment tokens</h2>
      {secret && <SecretOnce label="Enrollment token" secret={secret.token} onDone={() => setSecret(undefined)} />}
      {tokens.error && <ErrorNote error={tokens.error} />}
      {tokens.data && tokens.data.items.length > 0 && (
        <div class="scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Prefix</th>
                <th scope="col">Uses left</th>
                <th scope="col">Expires</th>
                {canWrite(me) && <th scope="col"><span class="sr-only">Actions</span></th>}
              </tr>
            </thead>
            <tbody>
              {tokens.data.items.map((t) => (
                <tr key={t.id}>
                  <td>
                    <code>{t.prefix}…</code>
                  </td>
                  <td>
                    {t.uses_remaining} of {t.uses_total}
                  </td>
                  <td>{when(t.expires_at)}</td>
                  {canWrite(me) && (
                    <td>
                      <DeleteButton
                        what={`enrollment token ${t.prefix}`}
                        onConfirm={async () => {
                          await ok(
                            raw.DELETE("/v1/sites/{id}/enrollment-tokens/{token_id}", {
                              params: { path: { id: props.siteId, token_id: t.id } },
                            }),
                          );
                          tokens.reload();
                        }}
                      />
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {tokens.data && tokens.data.items.length === 0 && <p>No enrollment tokens.</p>}
      {error && <ErrorNote error={error} />}
      {canWrite(me) && (
        <button type="button" class="secondary" onClick={create}>
          Create an enrollment token
        </button>
      )}
    </section>
  );
}

/** One path's RTT over the history window, as an SVG line. */
function RttChart(props: { points: PathHistory["series"][number]["points"]; from: number; to: number }) {
  const w = 240;
  const h = 48;
  const values = props.points.filter((p) => p.rtt_ms != null);
  if (values.length === 0) return <span class="muted">no RTT samples</span>;
  const max = Math.max(1, ...values.map((p) => p.rtt_ms ?? 0));
  const x = (at: string) => ((Date.parse(at) - props.from) / Math.max(1, props.to - props.from)) * w;
  const y = (v: number) => h - (v / max) * (h - 4) - 2;
  const d = values.map((p, i) => `${i === 0 ? "M" : "L"}${x(p.at).toFixed(1)},${y(p.rtt_ms ?? 0).toFixed(1)}`).join(" ");
  const last = values[values.length - 1];
  return (
    <svg width={w} height={h} viewBox={`0 0 ${w} ${h}`} role="img"
      aria-label={`RTT over the last hour, up to ${max.toFixed(1)} ms, last ${last?.rtt_ms?.toFixed(1) ?? "?"} ms`}>
      <path d={d} class="chart-line" fill="none" />
      {values.map((p) => (
        <circle key={p.at} cx={x(p.at)} cy={y(p.rtt_ms ?? 0)} r="2" class="chart-dot" />
      ))}
    </svg>
  );
}

function Paths(props: { live: Live; peerName: (id: string) => string }) {
  const { paths, history } = props.live;
  const from = Date.parse(history.from);
  const to = Date.parse(history.to);
  const series = (peer: string, link: string) => history.series.find((s) => s.peer_site_id === peer && s.link === link);
  return (
    <section aria-labelledby="paths-title">
      <h2 id="paths-title">Path health</h2>
      {paths.paths.length === 0 ? (
        <p>The site's agent has not reported any path.</p>
      ) : (
        <>
          <p class="muted">As reported at {when(paths.reported_at)}; the chart is the last hour, one point a minute.</p>
          <div class="scroll">
            <table id="paths">
              <thead>
                <tr>
                  <th scope="col">Peer</th>
                  <th scope="col">Link</th>
                  <th scope="col">Endpoint</th>
                  <th scope="col">State</th>
                  <th scope="col">RTT ms</th>
                  <th scope="col">Jitter ms</th>
                  <th scope="col">Loss %</th>
                  <th scope="col">RTT, last hour</th>
                </tr>
              </thead>
              <tbody>
                {paths.paths.map((p) => (
                  <tr key={`${p.peer_site_id}/${p.link}/${p.endpoint}`}>
                    <td>
                      <A href={`/sites/${p.peer_site_id}`}>{props.peerName(p.peer_site_id)}</A>
                    </td>
                    <td>{p.link}</td>
                    <td>{p.endpoint}</td>
                    <td>{p.up ? (p.active ? "up, active" : "up") : "down"}</td>
                    <td>{p.rtt_ms?.toFixed(1) ?? "—"}</td>
                    <td>{p.jitter_ms?.toFixed(1) ?? "—"}</td>
                    <td>{p.loss_percent?.toFixed(1) ?? "—"}</td>
                    <td>
                      <RttChart points={series(p.peer_site_id, p.link)?.points ?? []} from={from} to={to} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

function Failovers(props: { siteId: string; peerName: (id: string) => string }) {
  const events = useAsync(
    () =>
      api.sites.failoverEventsPage(
        props.siteId,
        { since: new Date(Date.now() - 24 * 3600 * 1000).toISOString() },
        { limit: 100 },
      ),
    [props.siteId],
  );
  return (
    <section aria-labelledby="failovers-title">
      <h2 id="failovers-title">Failovers, last 24 hours</h2>
      {events.error && <ErrorNote error={events.error} />}
      {events.data &&
        (events.data.items.length === 0 ? (
          <p>No path changes in the last 24 hours.</p>
        ) : (
          <div class="scroll">
            <table>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Peer</th>
                  <th scope="col">Policy</th>
                  <th scope="col">From → to</th>
                  <th scope="col">Reason</th>
                </tr>
              </thead>
              <tbody>
                {events.data.items.map((f) => (
                  <tr key={f.id}>
                    <td>{when(f.at)}</td>
                    <td>{props.peerName(f.peer_site_id)}</td>
                    <td>{f.policy ?? "(unclassified)"}</td>
                    <td>
                      {f.from_link ?? "none"} → {f.to_link ?? "none"}
                    </td>
                    <td>{f.reason.replace("_", " ")}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
    </section>
  );
}

function Config(props: { config: Async<CompiledConfig> }) {
  const config = props.config;
  return (
    <section aria-labelledby="config-title">
      <h2 id="config-title">Compiled configuration</h2>
      {config.error && <ErrorNote error={config.error} />}
      {config.data && (
        <details>
          <summary>The document the site's agent receives</summary>
          <p class="muted">
            Revision {config.data.revision}, hash <code>{config.data.hash.slice(0, 16)}…</code>
          </p>
          <pre class="json" tabIndex={0}>{JSON.stringify(config.data.config, null, 2)}</pre>
        </details>
      )}
    </section>
  );
}
