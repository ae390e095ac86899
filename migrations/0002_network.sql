-- The tenant's network: sites, links, topology, peerings, QoS classes, policies, and the
-- content hash of each site's compiled document.

ALTER TABLE tenants
    ADD COLUMN max_sites integer NOT NULL DEFAULT 1000 CHECK (max_sites >= 0),
    -- Moves in the same transaction as every change to the tenant's network.
    ADD COLUMN revision bigint NOT NULL DEFAULT 0;

-- One row per tenant, created with the tenant's first network write.
CREATE TABLE topologies (
    tenant_id             uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    mode                  text NOT NULL CHECK (mode IN ('full_mesh', 'hub_and_spoke', 'explicit')),
    overlay_prefix        cidr NOT NULL,
    persistent_keepalive  integer NOT NULL CHECK (persistent_keepalive BETWEEN 0 AND 65535),
    version               bigint NOT NULL DEFAULT 1,
    updated_at            timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sites (
    id               uuid PRIMARY KEY,
    tenant_id        uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name             text NOT NULL,
    description      text NOT NULL DEFAULT '',
    location         text NOT NULL DEFAULT '',
    labels           jsonb NOT NULL DEFAULT '{}',
    role             text NOT NULL CHECK (role IN ('edge', 'hub')),
    lan_prefixes     cidr[] NOT NULL DEFAULT '{}',
    listen_port      integer NOT NULL CHECK (listen_port BETWEEN 1 AND 65535),
    -- Host number inside the tenant's overlay prefix; the address is derived from it.
    overlay_offset   integer NOT NULL CHECK (overlay_offset > 0),
    overlay_address  inet NOT NULL,
    version          bigint NOT NULL DEFAULT 1,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT sites_tenant_id_name_key UNIQUE (tenant_id, name),
    CONSTRAINT sites_tenant_id_overlay_offset_key UNIQUE (tenant_id, overlay_offset)
);
CREATE INDEX sites_lan_prefixes_idx ON sites USING gin (lan_prefixes);

CREATE TABLE links (
    id                   uuid PRIMARY KEY,
    tenant_id            uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    site_id              uuid NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    name                 text NOT NULL,
    interface            text NOT NULL,
    kind                 text NOT NULL,
    endpoint             text,
    bandwidth_up_mbps    bigint NOT NULL CHECK (bandwidth_up_mbps >= 0),
    bandwidth_down_mbps  bigint NOT NULL CHECK (bandwidth_down_mbps >= 0),
    cost                 bigint NOT NULL CHECK (cost >= 0),
    priority             bigint NOT NULL CHECK (priority >= 0),
    version              bigint NOT NULL DEFAULT 1,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT links_site_id_name_key UNIQUE (site_id, name)
);
CREATE INDEX links_tenant_id_idx ON links (tenant_id);

-- A pair of sites, stored once with site_low < site_high.
CREATE TABLE peerings (
    id          uuid PRIMARY KEY,
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name        text NOT NULL,
    site_low    uuid NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    site_high   uuid NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    version     bigint NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (site_low < site_high),
    CONSTRAINT peerings_tenant_id_name_key UNIQUE (tenant_id, name),
    CONSTRAINT peerings_site_low_site_high_key UNIQUE (site_low, site_high)
);

CREATE TABLE qos_classes (
    id                  uuid PRIMARY KEY,
    tenant_id           uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name                text NOT NULL,
    priority            integer NOT NULL CHECK (priority BETWEEN 1 AND 8),
    dscp                integer NOT NULL CHECK (dscp BETWEEN 0 AND 63),
    guaranteed_percent  integer NOT NULL CHECK (guaranteed_percent BETWEEN 0 AND 100),
    max_percent         integer NOT NULL CHECK (max_percent BETWEEN 1 AND 100),
    version             bigint NOT NULL DEFAULT 1,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT qos_classes_tenant_id_name_key UNIQUE (tenant_id, name)
);

CREATE TABLE policies (
    id             uuid PRIMARY KEY,
    tenant_id      uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name           text NOT NULL,
    priority       bigint NOT NULL CHECK (priority >= 0),
    match          jsonb NOT NULL,
    action         jsonb NOT NULL,
    -- The QoS class the action names; RESTRICT so that a used class cannot vanish.
    qos_class_id   uuid REFERENCES qos_classes (id) ON DELETE RESTRICT,
    site_selector  jsonb NOT NULL DEFAULT '{}',
    version        bigint NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT policies_tenant_id_name_key UNIQUE (tenant_id, name),
    CONSTRAINT policies_tenant_id_priority_key UNIQUE (tenant_id, priority)
);

-- The content hash of each site's compiled document and the revision at which it last changed.
-- Documents themselves are compiled on demand from the rows above.
CREATE TABLE site_configs (
    site_id     uuid PRIMARY KEY REFERENCES sites (id) ON DELETE CASCADE,
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    hash        text NOT NULL,
    revision    bigint NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX site_configs_tenant_id_idx ON site_configs (tenant_id);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['topologies', 'sites', 'links', 'peerings', 'qos_classes', 'policies', 'site_configs'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_tenant_id())', t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO patronus_app', t);
    END LOOP;
END
$$;
