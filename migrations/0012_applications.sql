-- Tenant-defined applications (issue 17): what a policy's `match.application` may name beside the
-- built-in catalogue, compiled into every site's document. Lists are JSON arrays of strings:
-- domain patterns, canonical prefixes (sorted), port ranges ("443", "8000-8100").
CREATE TABLE applications (
    id           uuid NOT NULL,
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name         text NOT NULL,
    category     text NOT NULL,
    description  text NOT NULL DEFAULT '',
    domains      jsonb NOT NULL DEFAULT '[]',
    prefixes     jsonb NOT NULL DEFAULT '[]',
    protocol     text NOT NULL DEFAULT 'any' CHECK (protocol IN ('any', 'tcp', 'udp')),
    ports        jsonb NOT NULL DEFAULT '[]',
    version      bigint NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT applications_pkey PRIMARY KEY (id),
    CONSTRAINT applications_tenant_id_name_key UNIQUE (tenant_id, name)
);

ALTER TABLE applications ENABLE ROW LEVEL SECURITY;
ALTER TABLE applications FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON applications USING (tenant_id = app_tenant_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON applications TO patronus_app;
