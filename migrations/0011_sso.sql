-- Single sign-on (OIDC) and browser sessions.

-- One identity provider per tenant (a singleton, like the topology). The client secret is kept as
-- given, because the server sends it to the provider's token endpoint; the API never shows it.
CREATE TABLE identity_providers (
    tenant_id                   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    issuer_url                  text NOT NULL,
    client_id                   text NOT NULL,
    client_secret               text NOT NULL,
    allowed_email_domains       text[] NOT NULL DEFAULT '{}',
    role_claim                  text NOT NULL,
    -- [{"group": "...", "role": "admin|operator|viewer"}, ...]
    role_mapping                jsonb NOT NULL DEFAULT '[]',
    default_role                text CHECK (default_role IN ('admin', 'operator', 'viewer')),
    password_login_admins_only  boolean NOT NULL DEFAULT false,
    -- The first SSO login that succeeded with this issuer and client; until then password login
    -- cannot be restricted.
    verified_at                 timestamptz,
    version                     bigint NOT NULL DEFAULT 1,
    created_at                  timestamptz NOT NULL DEFAULT now(),
    updated_at                  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT identity_providers_pkey PRIMARY KEY (tenant_id)
);

-- An authorization request in flight: the state (as SHA-256), the nonce and the PKCE verifier,
-- kept until the callback spends it, for ten minutes at most.
CREATE TABLE oidc_logins (
    state_hash     bytea NOT NULL,
    tenant_id      uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    nonce          text NOT NULL,
    pkce_verifier  text NOT NULL,
    expires_at     timestamptz NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT oidc_logins_pkey PRIMARY KEY (state_hash)
);

-- Browser sessions: the cookie carries an opaque secret, stored here as SHA-256. The CSRF token
-- is not a credential (it is useless without the cookie) and is shown to the session's owner.
CREATE TABLE browser_sessions (
    id            uuid NOT NULL,
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    session_hash  bytea NOT NULL,
    csrf_token    text NOT NULL,
    method        text NOT NULL CHECK (method IN ('password', 'sso')),
    expires_at    timestamptz NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT browser_sessions_pkey PRIMARY KEY (id),
    CONSTRAINT browser_sessions_session_hash_key UNIQUE (session_hash)
);
CREATE INDEX browser_sessions_user_id_idx ON browser_sessions (user_id);

ALTER TABLE identity_providers ENABLE ROW LEVEL SECURITY;
ALTER TABLE identity_providers FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON identity_providers USING (tenant_id = app_tenant_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON identity_providers TO patronus_app;

ALTER TABLE oidc_logins ENABLE ROW LEVEL SECURITY;
ALTER TABLE oidc_logins FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON oidc_logins USING (tenant_id = app_tenant_id());
CREATE POLICY credential_lookup ON oidc_logins FOR SELECT USING (state_hash = app_credential_hash());
GRANT SELECT, INSERT, UPDATE, DELETE ON oidc_logins TO patronus_app;

ALTER TABLE browser_sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE browser_sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON browser_sessions USING (tenant_id = app_tenant_id());
CREATE POLICY credential_lookup ON browser_sessions FOR SELECT USING (session_hash = app_credential_hash());
GRANT SELECT, INSERT, UPDATE, DELETE ON browser_sessions TO patronus_app;

-- Expired logins and sessions of every tenant, dropped by the hourly maintenance.
CREATE FUNCTION purge_expired_browser_sessions() RETURNS bigint
LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
    WITH l AS (DELETE FROM oidc_logins WHERE expires_at < now() RETURNING 1),
         s AS (DELETE FROM browser_sessions WHERE expires_at < now() RETURNING 1)
    SELECT (SELECT count(*) FROM l) + (SELECT count(*) FROM s)
$$;
REVOKE ALL ON FUNCTION purge_expired_browser_sessions() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION purge_expired_browser_sessions() TO patronus_app;
