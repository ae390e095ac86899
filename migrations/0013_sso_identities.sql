-- The identity a user's SSO logins are bound to: the provider's issuer and the ID token's `sub`,
-- which, unlike an email address, a provider never gives to another person. A user's first SSO
-- login binds them (found by email then); later logins find them by the binding.
CREATE TABLE sso_identities (
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    issuer_url  text NOT NULL,
    subject     text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT sso_identities_pkey PRIMARY KEY (user_id),
    CONSTRAINT sso_identities_tenant_id_issuer_url_subject_key UNIQUE (tenant_id, issuer_url, subject)
);

ALTER TABLE sso_identities ENABLE ROW LEVEL SECURITY;
ALTER TABLE sso_identities FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON sso_identities USING (tenant_id = app_tenant_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON sso_identities TO patronus_app;
