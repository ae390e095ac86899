import type { FleetStatus, Peering, Site, SiteHealth, Topology } from "@patronus-sdwan/sdk";

import { api, ok, raw } from "../api";
import { navigate } from "../router";
import { ErrorNote, Loading, Page, useAsync } from "../ui";

/** Up to this many sites each is a node; beyond, sites are grouped by health (hubs stay single). */
const MAX_NODES = 200;
/** A full mesh draws every pair only up to this many sites. */
const MAX_MESH_EDGES_SITES = 40;

type Health = SiteHealth | "unknown";

interface Node {
  key: string;
  label: string;
  health: Health;
  hub: boolean;
  href?: string;
  count?: number;
}

interface Graph {
  topology: Topology;
  fleet: FleetStatus;
  nodes: Node[];
  edges: [string, string][];
  note: string;
}

function healthOf(fleet: FleetStatus): (id: string) => Health {
  const byId = new Map(fleet.attention.map((s) => [s.site_id, s.health]));
  const complete = fleet.attention.length === fleet.sites - fleet.health.online;
  return (id) => byId.get(id) ?? (complete ? "online" : "unknown");
}

async function load(): Promise<Graph> {
  const [topology, fleet, peerings] = await Promise.all([
    api.topology.get(),
    ok(raw.GET("/v1/fleet/status", {})),
    api.peerings.all({}, { pageSize: 500 }),
  ]);
  const health = healthOf(fleet);
  if (fleet.sites <= MAX_NODES) {
    const sites = await api.sites.all({}, { pageSize: 500 });
    return perSite(topology, fleet, sites, peerings, health);
  }
  const hubs = await api.sites.all({ role: "hub" }, { pageSize: 500 });
  return grouped(topology, fleet, hubs, health);
}

function perSite(topology: Topology, fleet: FleetStatus, sites: Site[], peerings: Peering[], health: (id: string) => Health): Graph {
  const nodes: Node[] = sites.map((s) => ({
    key: s.id,
    label: s.name,
    health: health(s.id),
    hub: s.role === "hub",
    href: `/sites/${s.id}`,
  }));
  const edges: [string, string][] = [];
  const enrolled = nodes.filter((n) => n.health !== "unenrolled");
  let note = "";
  if (topology.mode === "hub_and_spoke") {
    const hubs = enrolled.filter((n) => n.hub);
    for (const spoke of enrolled.filter((n) => !n.hub)) for (const hub of hubs) edges.push([spoke.key, hub.key]);
    for (let i = 0; i < hubs.length; i++) for (let j = i + 1; j < hubs.length; j++) edges.push([hubs[i]!.key, hubs[j]!.key]);
  } else if (topology.mode === "full_mesh") {
    if (enrolled.length <= MAX_MESH_EDGES_SITES) {
      for (let i = 0; i < enrolled.length; i++)
        for (let j = i + 1; j < enrolled.length; j++) edges.push([enrolled[i]!.key, enrolled[j]!.key]);
    } else {
      note = `Full mesh: each of the ${enrolled.length} enrolled sites peers with every other (${(enrolled.length * (enrolled.length - 1)) / 2} pairs); the pairs are not drawn.`;
    }
  }
  for (const p of peerings) edges.push([p.site_a, p.site_b]);
  return { topology, fleet, nodes, edges, note };
}

function grouped(topology: Topology, fleet: FleetStatus, hubs: Site[], health: (id: string) => Health): Graph {
  const hubIds = new Set(hubs.map((h) => h.id));
  const hubNodes: Node[] = hubs.slice(0, 50).map((h) => ({
    key: h.id,
    label: h.name,
    health: health(h.id),
    hub: true,
    href: `/sites/${h.id}`,
  }));
  // Hubs are counted in the fleet's health totals; the groups are the other sites.
  const hubHealth = (h: SiteHealth) => hubs.filter((s) => hubIds.has(s.id) && health(s.id) === h).length;
  const groups: Node[] = (["online", "degraded", "offline", "unenrolled"] as const)
    .map((h) => ({ key: `group-${h}`, label: `${h} sites`, health: h as Health, hub: false, count: fleet.health[h] - hubHealth(h) }))
    .filter((g) => (g.count ?? 0) > 0);
  const edges: [string, string][] = [];
  const peersOf = groups.filter((g) => g.health !== "unenrolled");
  if (topology.mode === "hub_and_spoke") {
    for (const g of peersOf) for (const h of hubNodes) edges.push([g.key, h.key]);
  } else if (topology.mode === "full_mesh") {
    for (let i = 0; i < peersOf.length; i++) for (let j = i + 1; j < peersOf.length; j++) edges.push([peersOf[i]!.key, peersOf[j]!.key]);
  }
  const enrolled = fleet.sites - fleet.health.unenrolled;
  const mesh =
    topology.mode === "full_mesh" ? ` In the full mesh every enrolled site peers with every other: ${(enrolled * (enrolled - 1)) / 2} pairs, within and between groups.` : "";
  const note = `${fleet.sites} sites: more than ${MAX_NODES}, so sites are grouped by health${hubs.length ? " and hubs are drawn one by one" : ""}. Each group links to the sites list.${mesh}`;
  return { topology, fleet, nodes: [...hubNodes, ...groups], edges, note };
}

function layout(nodes: Node[], size: number): Map<string, [number, number]> {
  const pos = new Map<string, [number, number]>();
  const c = size / 2;
  const hubs = nodes.filter((n) => n.hub);
  const rest = nodes.filter((n) => !n.hub);
  const ring = (list: Node[], r: number) =>
    list.forEach((n, i) => {
      const a = (2 * Math.PI * i) / Math.max(1, list.length) - Math.PI / 2;
      pos.set(n.key, [c + r * Math.cos(a), c + r * Math.sin(a)]);
    });
  ring(hubs, hubs.length === 1 ? 0 : size * 0.16);
  ring(rest, size * 0.4);
  return pos;
}

export function TopologyPage() {
  const graph = useAsync(load, []);
  return (
    <Page title="Topology">
      {graph.error && <ErrorNote error={graph.error} />}
      {graph.loading && !graph.data && <Loading what="the topology" />}
      {graph.data && <Drawing graph={graph.data} />}
    </Page>
  );
}

function Drawing(props: { graph: Graph }) {
  const { nodes, edges, topology, note } = props.graph;
  const size = 640;
  const pos = layout(nodes, size);
  const radius = (n: Node) => (n.count !== undefined ? Math.min(48, 14 + Math.sqrt(n.count) * 2) : n.hub ? 11 : 7);
  return (
    <>
      <p>
        Mode <strong>{topology.mode.replace(/_/g, " ")}</strong>, overlay {topology.overlay_prefix}, {nodes.length}{" "}
        {nodes.some((n) => n.count !== undefined) ? "nodes" : "sites"}, {edges.length} peerings drawn. Sites
        without an enrolled agent peer with nobody.
      </p>
      {note && <p class="muted">{note}</p>}
      <ul class="legend" aria-label="Legend">
        {(["online", "degraded", "offline", "unenrolled"] as const).map((h) => (
          <li key={h}>
            <svg width="12" height="12" aria-hidden="true">
              <circle cx="6" cy="6" r="5" class={`node-${h}`} />
            </svg>{" "}
            {h}
          </li>
        ))}
      </ul>
      <svg class="topology" viewBox={`0 0 ${size} ${size}`} role="group" aria-label="Topology graph">
        <g class="edges">
          {edges.map(([a, b], i) => {
            const pa = pos.get(a);
            const pb = pos.get(b);
            if (!pa || !pb) return null;
            return <line key={i} x1={pa[0]} y1={pa[1]} x2={pb[0]} y2={pb[1]} />;
          })}
        </g>
        {nodes.map((n) => {
          const p = pos.get(n.key) ?? [0, 0];
          const label = n.count !== undefined ? `${n.count} ${n.label}` : `${n.label} (${n.hub ? "hub, " : ""}${n.health})`;
          const href = n.href ?? "/sites";
          return (
            <a key={n.key} href={href} aria-label={label}
              onClick={(e) => {
                e.preventDefault();
                navigate(href);
              }}>
              <title>{label}</title>
              <circle cx={p[0]} cy={p[1]} r={radius(n)} class={`node-${n.health}`} />
              {(n.count !== undefined || nodes.length <= 60) && (
                <text x={p[0]} y={p[1] + radius(n) + 12} text-anchor="middle">
                  {n.count !== undefined ? `${n.count} ${n.health}` : n.label}
                </text>
              )}
            </a>
          );
        })}
      </svg>
    </>
  );
}
