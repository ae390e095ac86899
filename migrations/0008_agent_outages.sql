-- The last control-plane outage an agent reported. A report carries an outage once (the first
-- report after it); the site's status keeps showing it until the agent reports a newer one.
ALTER TABLE agents ADD COLUMN last_control_plane_outage jsonb;
