-- Foundation: tenants, users, API tokens, sessions, audit, idempotency.
--
-- Migrations run as the owner role. The server's queries run as `patronus_app` (created here, able
-- to log in where the cluster trusts local connections; give it a password otherwise), which owns
-- nothing, so row-level security applies to it; FORCE makes it apply to the owner as well.
-- Every tenant-owned table has `tenant_id` and the policy
--     tenant_id = app.tenant_id
-- where app.tenant_id is set per transaction with set_config(..., true). Unset, it matches
-- nothing: a query that forgot to scope itself sees no rows.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'patronus_app') THEN
        CREATE ROLE patronus_app LOGIN;
    END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO patronus_app;

-- The tenant the current transaction acts for, or NULL.
CREATE FUNCTION app_tenant_id() RETURNS uuid
    LANGUAGE sql STABLE
    AS $$ SELECT nullif(current_setting('app.tenant_id', true), '')::uuid $$;

-- Whether the current transaction acts for the platform (the SaaS operator).
CREATE FUNCTION app_is_platform() RETURNS boolean
    LANGUAGE sql STABLE
    AS $$ SELECT coalesce(current_setting('app.platform', true), '') = 'on' $$;

-- The SHA-256 (hex) of a secret the caller presented, which lets it find the one credential
-- row that secret belongs to before it knows the tenant.
CREATE FUNCTION app_credential_hash() RETURNS bytea
    LANGUAGE sql STABLE
    AS $$ SELECT decode(nullif(current_setting('app.credential_hash', true), ''), 'hex') $$;

GRANT EXECUTE ON FUNCTION app_tenant_id(), app_is_platform(), app_credential_hash() TO patronus_app;

-- Platform tables: not tenant-owned, no RLS.

CREATE TABLE tenants (
    id              uuid PRIMARY KEY,
    name            text NOT NULL,
    slug            text NOT NULL,
    max_users       integer NOT NULL CHECK (max_users >= 0),
    max_api_tokens  integer NOT NULL CHECK (max_api_tokens >= 0),
    version         bigint NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tenants_name_key UNIQUE (name),
    CONSTRAINT tenants_slug_key UNIQUE (slug)
);
GRANT SELECT, INSERT, UPDATE, DELETE ON tenants TO patronus_app;

CREATE TABLE platform_tokens (
    id            uuid PRIMARY KEY,
    name          text NOT NULL,
    token_hash    bytea NOT NULL,
    prefix        text NOT NULL,
    last_used_at  timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT platform_tokens_name_key UNIQUE (name),
    CONSTRAINT platform_tokens_token_hash_key UNIQUE (token_hash)
);
GRANT SELECT, INSERT, UPDATE, DELETE ON platform_tokens TO patronus_app;

-- HMAC keys for access tokens. The newest one signs; all verify, so rotating logs nobody out.
CREATE TABLE signing_keys (
    kid         text PRIMARY KEY,
    secret      bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
GRANT SELECT, INSERT ON signing_keys TO patronus_app;

-- Tenant-owned tables.

CREATE TABLE users (
    id             uuid PRIMARY KEY,
    tenant_id      uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    email          text NOT NULL,
    display_name   text NOT NULL,
    role           text NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
    password_hash  text,
    version        bigint NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_tenant_id_email_key UNIQUE (tenant_id, email)
);

CREATE TABLE api_tokens (
    id            uuid PRIMARY KEY,
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name          text NOT NULL,
    role          text NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
    token_hash    bytea NOT NULL,
    prefix        text NOT NULL,
    expires_at    timestamptz,
    last_used_at  timestamptz,
    version       bigint NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT api_tokens_tenant_id_name_key UNIQUE (tenant_id, name),
    CONSTRAINT api_tokens_token_hash_key UNIQUE (token_hash)
);

-- Refresh tokens rotate: using one revokes it and issues its successor. Presenting a revoked
-- one again revokes the whole family (it was stolen or replayed).
CREATE TABLE refresh_tokens (
    id          uuid PRIMARY KEY,
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family_id   uuid NOT NULL,
    token_hash  bytea NOT NULL,
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT refresh_tokens_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX refresh_tokens_family_id_idx ON refresh_tokens (family_id);

-- Audit events outlive what they describe (no foreign keys) and cannot be changed: the server's
-- role may only insert and read them. Platform events have no tenant.
CREATE TABLE audit_events (
    id             uuid PRIMARY KEY,
    tenant_id      uuid,
    occurred_at    timestamptz NOT NULL DEFAULT now(),
    actor_type     text NOT NULL,
    actor_id       uuid,
    actor_name     text NOT NULL,
    action         text NOT NULL,
    resource_type  text NOT NULL,
    resource_id    uuid NOT NULL,
    before         jsonb,
    after          jsonb,
    request_id     text
);
CREATE INDEX audit_events_tenant_id_id_idx ON audit_events (tenant_id, id);

-- Responses to POSTs that carried an Idempotency-Key, kept for 24 hours.
CREATE TABLE idempotency_keys (
    principal      text NOT NULL,
    key            text NOT NULL,
    tenant_id      uuid,
    request_hash   bytea NOT NULL,
    status         integer,
    response       bytea,
    headers        jsonb,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (principal, key)
);

ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON users USING (tenant_id = app_tenant_id());

ALTER TABLE api_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON api_tokens USING (tenant_id = app_tenant_id());
CREATE POLICY credential_lookup ON api_tokens FOR SELECT USING (token_hash = app_credential_hash());

ALTER TABLE refresh_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE refresh_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON refresh_tokens USING (tenant_id = app_tenant_id());
CREATE POLICY credential_lookup ON refresh_tokens FOR SELECT USING (token_hash = app_credential_hash());

ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_events
    USING (tenant_id = app_tenant_id() OR (tenant_id IS NULL AND app_is_platform()));

ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE idempotency_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON idempotency_keys
    USING (tenant_id = app_tenant_id() OR (tenant_id IS NULL AND app_is_platform()));

GRANT SELECT, INSERT, UPDATE, DELETE ON users, api_tokens, refresh_tokens, idempotency_keys TO patronus_app;
GRANT SELECT, INSERT ON audit_events TO patronus_app;
