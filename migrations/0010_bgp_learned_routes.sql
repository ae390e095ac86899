-- Routes a site's agent learned from its BGP neighbours (after their import route maps), as its
-- latest report gave them: one row per (prefix, neighbour). They belong to the site's BGP
-- settings and go with them. `state`, `reason` and `conflicting_site_id` are what the server
-- decided for the prefix (`overlay_import`): the same for every row of one (site, prefix).
-- `conflicting_site_id` is not a foreign key: a decision naming a deleted site is redone in the
-- transaction that deletes it.
CREATE TABLE bgp_learned_routes (
    id                   uuid NOT NULL,
    tenant_id            uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    site_id              uuid NOT NULL REFERENCES site_bgp (site_id) ON DELETE CASCADE,
    prefix               cidr NOT NULL,
    neighbor             inet NOT NULL,
    as_path              text NOT NULL DEFAULT '',
    communities          jsonb NOT NULL DEFAULT '[]',
    local_preference     bigint,
    med                  bigint,
    state                text NOT NULL CHECK (state IN ('accepted', 'refused', 'not_imported')),
    reason               text,
    conflicting_site_id  uuid,
    learned_at           timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT bgp_learned_routes_pkey PRIMARY KEY (id),
    CONSTRAINT bgp_learned_routes_site_id_prefix_neighbor_key UNIQUE (site_id, prefix, neighbor)
);
CREATE INDEX bgp_learned_routes_tenant_id_idx ON bgp_learned_routes (tenant_id);
CREATE INDEX bgp_learned_routes_site_id_id_idx ON bgp_learned_routes (site_id, id);

ALTER TABLE bgp_learned_routes ENABLE ROW LEVEL SECURITY;
ALTER TABLE bgp_learned_routes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON bgp_learned_routes USING (tenant_id = app_tenant_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON bgp_learned_routes TO patronus_app;
