import { useState } from "preact/hooks";

import {
  linkKindValues,
  type LinkKind,
  type NewSite,
  type SiteHealth,
  type SiteLink,
  type SiteRole,
  siteRoleValues,
} from "@patronus-sdwan/sdk";

import { api, ok, raw } from "../api";
import { navigate, queryString } from "../router";
import {
  A,
  canWrite,
  ErrorNote,
  HealthBadge,
  Field,
  type FormErrors,
  formErrors,
  inputValue,
  Loading,
  noErrors,
  optNumber,
  Page,
  Pager,
  parseLabels,
  splitList,
  useAsync,
  useMe,
} from "../ui";

const PAGE_SIZE = 50;

/** The health of each of `ids`: from the fleet overview (one read) when its list of sites that
 * are not online is complete, else the overview's list and each remaining site's own status. */
async function healthOf(ids: string[]): Promise<Map<string, SiteHealth>> {
  const fleet = await ok(raw.GET("/v1/fleet/status", {}));
  const known = new Map<string, SiteHealth>(fleet.attention.map((s) => [s.site_id, s.health]));
  const complete = fleet.attention.length === fleet.sites - fleet.health.online;
  const out = new Map<string, SiteHealth>();
  const rest: string[] = [];
  for (const id of ids) {
    const h = known.get(id);
    if (h) out.set(id, h);
    else if (complete) out.set(id, "online");
    else rest.push(id);
  }
  // More than 100 sites are not online: ask the others one by one, six at a time.
  for (let i = 0; i < rest.length; i += 6) {
    const batch = rest.slice(i, i + 6);
    const statuses = await Promise.all(batch.map((id) => ok(raw.GET("/v1/sites/{id}/status", { params: { path: { id } } }))));
    for (const st of statuses) out.set(st.site_id, st.health);
  }
  return out;
}

/** The sites, filtered and paginated by the server. */
export function SitesPage(props: { query: URLSearchParams }) {
  const me = useMe();
  const name = props.query.get("name") ?? "";
  const role = props.query.get("role") ?? "";
  const label = props.query.get("label") ?? "";
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const page = useAsync(
    () =>
      api.sites.listPage(
        { name: name || undefined, role: (role || undefined) as SiteRole | undefined, label: label || undefined },
        { cursor, limit: PAGE_SIZE },
      ),
    [name, role, label, cursor],
  );

  const ids = page.data?.items.map((s) => s.id) ?? [];
  const health = useAsync(() => (ids.length ? healthOf(ids) : Promise.resolve(new Map<string, SiteHealth>())), [ids.join()]);

  const filter = (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    setCursors([]);
    navigate(
      `/sites${queryString({ name: String(f.get("name") ?? ""), role: String(f.get("role") ?? ""), label: String(f.get("label") ?? "") })}`,
    );
  };

  return (
    <Page
      title="Sites"
      actions={canWrite(me) ? <A href="/sites/new" class="button">New site</A> : undefined}
    >
      <form class="filters" onSubmit={filter} role="search" aria-label="Filter sites">
        <Field label="Name">{(a) => <input {...a} name="name" value={name} />}</Field>
        <Field label="Role">
          {(a) => (
            <select {...a} name="role" value={role}>
              <option value="">any</option>
              {siteRoleValues.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Label (key=value)">{(a) => <input {...a} name="label" value={label} />}</Field>
        <button type="submit">Filter</button>
      </form>
      {page.error && <ErrorNote error={page.error} />}
      {page.loading && !page.data && <Loading what="sites" />}
      {page.data && (
        <>
          {page.data.items.length === 0 ? (
            <p>No sites{name || role || label ? " match these filters" : " yet"}.</p>
          ) : (
            <div class="scroll">
              <table id="sites">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Health</th>
                    <th scope="col">Role</th>
                    <th scope="col">Location</th>
                    <th scope="col">LAN prefixes</th>
                    <th scope="col">Links</th>
                    <th scope="col">Overlay address</th>
                  </tr>
                </thead>
                <tbody>
                  {page.data.items.map((s) => (
                    <tr key={s.id}>
                      <td>
                        <A href={`/sites/${s.id}`}>{s.name}</A>
                      </td>
                      <td>{health.data?.get(s.id) ? <HealthBadge health={health.data.get(s.id)!} /> : "…"}</td>
                      <td>{s.role}</td>
                      <td>{s.location}</td>
                      <td>{s.lan_prefixes.join(", ")}</td>
                      <td>{(s.links ?? []).map((l) => l.name).join(", ")}</td>
                      <td>{s.overlay_address}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <Pager
            hasPrevious={cursors.length > 0}
            next={page.data.nextCursor}
            onPrevious={() => setCursors((c) => c.slice(0, -1))}
            onNext={(c) => setCursors((cs) => [...cs, c])}
          />
        </>
      )}
    </Page>
  );
}

interface LinkDraft {
  name: string;
  interface: string;
  kind: LinkKind;
  endpoint: string;
  up: string;
  down: string;
  cost: string;
  priority: string;
}

const emptyLink = (n: number): LinkDraft => ({
  name: n === 0 ? "fiber" : n === 1 ? "lte" : "",
  interface: "",
  kind: n === 1 ? "lte" : "fiber",
  endpoint: "",
  up: "100",
  down: "100",
  cost: "",
  priority: "",
});

function toSiteLink(l: LinkDraft): SiteLink {
  const link: SiteLink = {
    name: l.name.trim(),
    interface: l.interface.trim(),
    kind: l.kind,
    endpoint: l.endpoint.trim() || null,
    bandwidth_up_mbps: Number(l.up),
    bandwidth_down_mbps: Number(l.down),
  };
  const cost = optNumber(l.cost);
  const priority = optNumber(l.priority);
  if (cost !== undefined) link.cost = cost;
  if (priority !== undefined) link.priority = priority;
  return link;
}

const linkFields = ["name", "interface", "kind", "endpoint", "bandwidth_up_mbps", "bandwidth_down_mbps", "cost", "priority"];

/** A site with its WAN links, written in one request. */
export function NewSitePage() {
  const [site, setSite] = useState({
    name: "",
    location: "",
    description: "",
    role: "edge" as SiteRole,
    lan: "",
    port: "",
    labels: "",
  });
  const [links, setLinks] = useState<LinkDraft[]>([emptyLink(0)]);
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof site) => (e: Event) => setSite({ ...site, [k]: inputValue(e) });
  const setLink = (i: number, k: keyof LinkDraft) => (e: Event) =>
    setLinks(links.map((l, j) => (j === i ? { ...l, [k]: inputValue(e) } : l)));

  const known = [
    "/name",
    "/location",
    "/description",
    "/role",
    "/lan_prefixes",
    "/listen_port",
    "/labels",
    "/links",
    ...links.flatMap((_, i) => linkFields.map((f) => `/links/${i}/${f}`)),
  ];

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setErrors(noErrors);
    const body: NewSite = {
      name: site.name.trim(),
      location: site.location.trim(),
      description: site.description.trim(),
      role: site.role,
      lan_prefixes: splitList(site.lan),
      labels: parseLabels(site.labels),
      links: links.map(toSiteLink),
    };
    const port = optNumber(site.port);
    if (port !== undefined) body.listen_port = port;
    try {
      const created = await api.sites.create(body);
      navigate(`/sites/${created.id}`);
    } catch (err) {
      setErrors(formErrors(err, known));
    } finally {
      setBusy(false);
    }
  };
  const err = (p: string) => errors.fields.get(p);

  return (
    <Page title="New site">
      <form class="card form" onSubmit={submit} noValidate>
        <div class="grid">
          <Field label="Name" error={err("/name")}>
            {(a) => <input {...a} name="name" required value={site.name} onInput={set("name")} />}
          </Field>
          <Field label="Location" error={err("/location")}>
            {(a) => <input {...a} name="location" value={site.location} onInput={set("location")} />}
          </Field>
          <Field label="Role" error={err("/role")}>
            {(a) => (
              <select {...a} name="role" value={site.role} onChange={set("role")}>
                {siteRoleValues.map((r) => (
                  <option key={r} value={r}>
                    {r}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="LAN prefixes" hint="Comma-separated, e.g. 10.1.0.0/16" error={err("/lan_prefixes")}>
            {(a) => <input {...a} name="lan_prefixes" value={site.lan} onInput={set("lan")} />}
          </Field>
          <Field label="Listen port" hint="Default 51820" error={err("/listen_port")}>
            {(a) => <input {...a} name="listen_port" inputMode="numeric" value={site.port} onInput={set("port")} />}
          </Field>
          <Field label="Labels" hint="key=value, comma-separated" error={err("/labels")}>
            {(a) => <input {...a} name="labels" value={site.labels} onInput={set("labels")} />}
          </Field>
        </div>
        <Field label="Description" error={err("/description")}>
          {(a) => <textarea {...a} name="description" rows={2} value={site.description} onInput={set("description")} />}
        </Field>

        <fieldset>
          <legend>WAN links</legend>
          {err("/links") && <p class="field-error">{err("/links")}</p>}
          {links.map((l, i) => {
            const le = (f: string) => err(`/links/${i}/${f}`);
            return (
              <div class="link-row" key={i} role="group" aria-label={`Link ${i + 1}`}>
                <Field label={`Link ${i + 1} name`} error={le("name")}>
                  {(a) => <input {...a} name={`links.${i}.name`} value={l.name} onInput={setLink(i, "name")} />}
                </Field>
                <Field label="Interface" error={le("interface")}>
                  {(a) => <input {...a} name={`links.${i}.interface`} value={l.interface} onInput={setLink(i, "interface")} />}
                </Field>
                <Field label="Kind" error={le("kind")}>
                  {(a) => (
                    <select {...a} name={`links.${i}.kind`} value={l.kind} onChange={setLink(i, "kind")}>
                      {linkKindValues.map((k) => (
                        <option key={k} value={k}>
                          {k}
                        </option>
                      ))}
                    </select>
                  )}
                </Field>
                <Field label="Endpoint (host:port)" error={le("endpoint")}>
                  {(a) => <input {...a} name={`links.${i}.endpoint`} value={l.endpoint} onInput={setLink(i, "endpoint")} />}
                </Field>
                <Field label="Up Mbit/s" error={le("bandwidth_up_mbps")}>
                  {(a) => <input {...a} name={`links.${i}.up`} inputMode="numeric" value={l.up} onInput={setLink(i, "up")} />}
                </Field>
                <Field label="Down Mbit/s" error={le("bandwidth_down_mbps")}>
                  {(a) => <input {...a} name={`links.${i}.down`} inputMode="numeric" value={l.down} onInput={setLink(i, "down")} />}
                </Field>
                <Field label="Cost" error={le("cost")}>
                  {(a) => <input {...a} name={`links.${i}.cost`} inputMode="numeric" value={l.cost} onInput={setLink(i, "cost")} />}
                </Field>
                <Field label="Priority" error={le("priority")}>
                  {(a) => <input {...a} name={`links.${i}.priority`} inputMode="numeric" value={l.priority} onInput={setLink(i, "priority")} />}
                </Field>
                <button type="button" class="secondary" onClick={() => setLinks(links.filter((_, j) => j !== i))}>
                  Remove link {i + 1}
                </button>
              </div>
            );
          })}
          <button type="button" class="secondary" onClick={() => setLinks([...links, emptyLink(links.length)])}>
            Add a link
          </button>
        </fieldset>
        {errors.general && (
          <p class="alert" role="alert">
            {errors.general}
          </p>
        )}
        {errors.fields.size > 0 && (
          <p class="alert" role="alert">
            The site was not created: see the fields marked in red.
          </p>
        )}
        <div class="actions">
          <button type="submit" disabled={busy}>
            Create site
          </button>
          <A href="/sites" class="button secondary">
            Cancel
          </A>
        </div>
      </form>
    </Page>
  );
}
