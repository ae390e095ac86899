-- A site's BGP settings: at most one row per site, deleted with it. Neighbours (with their
-- passwords, which only the site's compiled document carries), prefix lists and route maps are
-- JSON documents checked by the server; the advertised networks are a cidr[] so that overlaps
-- between sites can be found in SQL.
CREATE TABLE site_bgp (
    site_id               uuid PRIMARY KEY REFERENCES sites (id) ON DELETE CASCADE,
    tenant_id             uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    local_asn             bigint NOT NULL CHECK (local_asn BETWEEN 1 AND 4294967294),
    router_id             inet NOT NULL CHECK (family(router_id) = 4 AND masklen(router_id) = 32),
    networks              cidr[] NOT NULL DEFAULT '{}',
    neighbors             jsonb NOT NULL DEFAULT '[]',
    prefix_lists          jsonb NOT NULL DEFAULT '[]',
    route_maps            jsonb NOT NULL DEFAULT '[]',
    overlay_import        boolean NOT NULL DEFAULT false,
    max_learned_prefixes  integer NOT NULL CHECK (max_learned_prefixes BETWEEN 1 AND 100000),
    version               bigint NOT NULL DEFAULT 1,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX site_bgp_tenant_id_idx ON site_bgp (tenant_id);

ALTER TABLE site_bgp ENABLE ROW LEVEL SECURITY;
ALTER TABLE site_bgp FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON site_bgp USING (tenant_id = app_tenant_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON site_bgp TO patronus_app;
