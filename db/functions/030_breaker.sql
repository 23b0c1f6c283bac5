-- Circuit-breaker persistence: one call per transition (never per decision). Low rate, so it
-- broadcasts the new state with NOTIFY on channel pacer_breaker; every instance adopts it.

-- Records a breaker transition of a campaign: upserts pacer.breaker_state, appends to
-- pacer.breaker_events and notifies 'pacer_breaker' with payload 'CAMPAIGN_ID:STATE:INSTANCE'.
CREATE OR REPLACE FUNCTION pacer.record_breaker_transition(
    p_campaign_id   uuid,
    p_from_state    text,
    p_to_state      text,
    p_reason        text,
    p_at            timestamptz,
    p_day           date,
    p_spent_micros  bigint,
    p_budget_micros bigint,
    p_instance_id   text
)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    IF p_to_state NOT IN ('closed', 'open', 'half_open') OR p_from_state NOT IN ('closed', 'open', 'half_open') THEN
        RAISE EXCEPTION 'record_breaker_transition: unknown breaker state % -> %', p_from_state, p_to_state
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pacer.campaigns WHERE id = p_campaign_id) THEN
        RAISE EXCEPTION 'record_breaker_transition: no campaign %', p_campaign_id
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    INSERT INTO pacer.breaker_state AS b (campaign_id, state, since, day, trips_today, reason, instance_id)
    VALUES (p_campaign_id, p_to_state, p_at, p_day, CASE WHEN p_to_state = 'open' THEN 1 ELSE 0 END, p_reason, p_instance_id)
    ON CONFLICT (campaign_id) DO UPDATE
       SET state = excluded.state,
           since = excluded.since,
           trips_today = CASE WHEN b.day = excluded.day THEN b.trips_today ELSE 0 END
                         + CASE WHEN excluded.state = 'open' THEN 1 ELSE 0 END,
           day = excluded.day,
           reason = excluded.reason,
           instance_id = excluded.instance_id,
           version = b.version + 1;
    INSERT INTO pacer.breaker_events (campaign_id, at, day, from_state, to_state, reason, spent_micros, budget_micros, instance_id)
    VALUES (p_campaign_id, p_at, p_day, p_from_state, p_to_state, p_reason, p_spent_micros, p_budget_micros, p_instance_id);
    PERFORM pg_notify('pacer_breaker', p_campaign_id::text || ':' || p_to_state || ':' || coalesce(p_instance_id, ''));
END;
$$;

COMMENT ON COLUMN pacer.breaker_events.reason IS
    'Why the state changed, as the pacing engine names it: tripped, cooldown_elapsed, probes_passed, budget_gone, day_rollover.';
