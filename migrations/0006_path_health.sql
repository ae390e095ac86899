-- Path health over time, and the path changes agents report.
--
-- path_samples holds one row per path and interval: a status report adds a one-minute sample
-- (at most one a minute per agent, whatever the report interval), and upkeep folds samples older
-- than two days into one-hour rows kept for 30 days, so a path costs at most 2,880 + 720 rows.
-- The peer is not a foreign key: a path's history outlives the peering.

CREATE TABLE path_samples (
    tenant_id          uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    site_id            uuid NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    peer_site_id       uuid NOT NULL,
    link               text NOT NULL,
    -- Start of the interval the row covers: 60 s for samples, 3600 s for folded rows.
    at                 timestamptz NOT NULL,
    resolution_seconds integer NOT NULL CHECK (resolution_seconds IN (60, 3600)),
    samples            integer NOT NULL CHECK (samples > 0),
    up_samples         integer NOT NULL CHECK (up_samples BETWEEN 0 AND samples),
    -- Sums over the samples that had a value, and how many did, so that folding keeps means exact.
    rtt_ms_sum         double precision NOT NULL DEFAULT 0,
    rtt_samples        integer NOT NULL DEFAULT 0,
    jitter_ms_sum      double precision NOT NULL DEFAULT 0,
    jitter_samples     integer NOT NULL DEFAULT 0,
    loss_percent_sum   double precision NOT NULL DEFAULT 0,
    loss_samples       integer NOT NULL DEFAULT 0,
    CONSTRAINT path_samples_pkey PRIMARY KEY (site_id, at, peer_site_id, link, resolution_seconds)
);
CREATE INDEX path_samples_fold_idx ON path_samples (resolution_seconds, at);

ALTER TABLE path_samples ENABLE ROW LEVEL SECURITY;
ALTER TABLE path_samples FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON path_samples USING (tenant_id = app_tenant_id());
GRANT SELECT, INSERT ON path_samples TO patronus_app;

-- When the agent last added samples, so a report adds them at most once a minute.
ALTER TABLE agents ADD COLUMN sampled_at timestamptz;

CREATE TABLE failover_events (
    id            uuid PRIMARY KEY,
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    site_id       uuid NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    peer_site_id  uuid NOT NULL,
    policy        text,
    from_link     text,
    to_link       text,
    from_endpoint text,
    to_endpoint   text,
    reason        text NOT NULL CHECK (reason IN ('path_down', 'sla', 'better')),
    at            timestamptz NOT NULL,
    received_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX failover_events_site_idx ON failover_events (tenant_id, site_id, id);
CREATE INDEX failover_events_received_idx ON failover_events (received_at);

ALTER TABLE failover_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE failover_events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON failover_events USING (tenant_id = app_tenant_id());
GRANT SELECT, INSERT ON failover_events TO patronus_app;

-- Folds one-minute samples older than two days into one-hour rows, drops rows older than 30
-- days and failover events older than 30 days, across tenants (so it runs with the owner's
-- rights, like the other upkeep). Returns the rows removed.
CREATE FUNCTION fold_path_samples() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    fold_before timestamptz := date_trunc('hour', now() - interval '2 days');
    removed bigint := 0;
    n bigint;
BEGIN
    WITH old AS (
        DELETE FROM path_samples
        WHERE resolution_seconds = 60 AND at < fold_before
        RETURNING *
    )
    INSERT INTO path_samples AS p (tenant_id, site_id, peer_site_id, link, at, resolution_seconds,
                                   samples, up_samples, rtt_ms_sum, rtt_samples, jitter_ms_sum,
                                   jitter_samples, loss_percent_sum, loss_samples)
    SELECT tenant_id, site_id, peer_site_id, link, date_trunc('hour', at), 3600,
           sum(samples), sum(up_samples), sum(rtt_ms_sum), sum(rtt_samples), sum(jitter_ms_sum),
           sum(jitter_samples), sum(loss_percent_sum), sum(loss_samples)
    FROM old
    GROUP BY tenant_id, site_id, peer_site_id, link, date_trunc('hour', at)
    ON CONFLICT ON CONSTRAINT path_samples_pkey DO UPDATE SET
        samples = p.samples + excluded.samples,
        up_samples = p.up_samples + excluded.up_samples,
        rtt_ms_sum = p.rtt_ms_sum + excluded.rtt_ms_sum,
        rtt_samples = p.rtt_samples + excluded.rtt_samples,
        jitter_ms_sum = p.jitter_ms_sum + excluded.jitter_ms_sum,
        jitter_samples = p.jitter_samples + excluded.jitter_samples,
        loss_percent_sum = p.loss_percent_sum + excluded.loss_percent_sum,
        loss_samples = p.loss_samples + excluded.loss_samples;
    DELETE FROM path_samples WHERE at < now() - interval '30 days';
    GET DIAGNOSTICS n = ROW_COUNT;
    removed := removed + n;
    DELETE FROM failover_events WHERE received_at < now() - interval '30 days';
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN removed + n;
END
$$;
REVOKE ALL ON FUNCTION fold_path_samples() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION fold_path_samples() TO patronus_app;
