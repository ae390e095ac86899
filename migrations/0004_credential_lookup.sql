-- Credential lookups in one statement. Each function sets app.credential_hash for the rest of
-- the calling statement's transaction, then reads through the same row-level security policy
-- as before (`credential_lookup`): it runs as the caller (SECURITY INVOKER), so it grants nothing
-- that `set_config` did not. Called outside an explicit transaction, it saves the BEGIN, the
-- set_config and the COMMIT round trips of every authenticated request.

CREATE FUNCTION api_token_by_credential(hash bytea) RETURNS SETOF api_tokens
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM set_config('app.credential_hash', encode(hash, 'hex'), true);
    RETURN QUERY SELECT * FROM api_tokens WHERE token_hash = hash;
END
$$;

CREATE FUNCTION agent_by_credential(hash bytea) RETURNS SETOF agents
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM set_config('app.credential_hash', encode(hash, 'hex'), true);
    RETURN QUERY SELECT * FROM agents WHERE credential_hash = hash;
END
$$;

GRANT EXECUTE ON FUNCTION api_token_by_credential(bytea), agent_by_credential(bytea) TO patronus_app;
