-- Agents: enrollment tokens bound to a site, the one agent enrolled per site, and its latest
-- status report.

CREATE TABLE enrollment_tokens (
    id              uuid PRIMARY KEY,
    tenant_id       uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    site_id         uuid NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    description     text NOT NULL DEFAULT '',
    token_hash      bytea NOT NULL CONSTRAINT enrollment_tokens_token_hash_key UNIQUE,
    prefix          text NOT NULL,
    uses_total      integer NOT NULL CHECK (uses_total > 0),
    uses_remaining  integer NOT NULL CHECK (uses_remaining >= 0),
    expires_at      timestamptz NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX enrollment_tokens_site_id_idx ON enrollment_tokens (tenant_id, site_id);

CREATE TABLE agents (
    id              uuid PRIMARY KEY,
    tenant_id       uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    -- One agent per site: enrolling again replaces the row, and with it the credential.
    site_id         uuid NOT NULL REFERENCES sites (id) ON DELETE CASCADE CONSTRAINT agents_site_id_key UNIQUE,
    public_key      text NOT NULL,
    hostname        text NOT NULL,
    agent_version   text NOT NULL,
    credential_hash bytea NOT NULL CONSTRAINT agents_credential_hash_key UNIQUE,
    enrolled_at     timestamptz NOT NULL DEFAULT now(),
    last_seen_at    timestamptz,
    -- The latest status report, and the health last derived from it (for transition metrics).
    report          jsonb,
    health          text NOT NULL DEFAULT 'offline'
);
CREATE INDEX agents_tenant_id_idx ON agents (tenant_id);

ALTER TABLE enrollment_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE enrollment_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON enrollment_tokens USING (tenant_id = app_tenant_id());
CREATE POLICY credential_lookup ON enrollment_tokens FOR SELECT USING (token_hash = app_credential_hash());

ALTER TABLE agents ENABLE ROW LEVEL SECURITY;
ALTER TABLE agents FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON agents USING (tenant_id = app_tenant_id());
CREATE POLICY credential_lookup ON agents FOR SELECT USING (credential_hash = app_credential_hash());

GRANT SELECT, INSERT, UPDATE, DELETE ON enrollment_tokens, agents TO patronus_app;

-- Marks agents that stopped reporting as offline, across tenants, and says which changed. This
-- one maintenance step crosses tenants, so it runs with the owner's rights instead of opening
-- row-level security to the server role.
CREATE FUNCTION mark_silent_agents_offline(silent_for interval)
RETURNS TABLE (tenant_id uuid, site_id uuid, previous text)
LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
    WITH silent AS (
        SELECT a.id, a.health FROM agents a
        WHERE a.health <> 'offline' AND (a.last_seen_at IS NULL OR a.last_seen_at < now() - silent_for)
        FOR UPDATE SKIP LOCKED
    )
    UPDATE agents a SET health = 'offline' FROM silent
    WHERE a.id = silent.id
    RETURNING a.tenant_id, a.site_id, silent.health
$$;
REVOKE ALL ON FUNCTION mark_silent_agents_offline(interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mark_silent_agents_offline(interval) TO patronus_app;

-- Idempotency keys are kept for 24 hours; this drops older ones across tenants.
CREATE FUNCTION purge_expired_idempotency_keys() RETURNS bigint
LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
    WITH gone AS (DELETE FROM idempotency_keys WHERE created_at < now() - interval '24 hours' RETURNING 1)
    SELECT count(*) FROM gone
$$;
REVOKE ALL ON FUNCTION purge_expired_idempotency_keys() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION purge_expired_idempotency_keys() TO patronus_app;
