-- Write-behind of decision outcomes: one call per flush interval carries every campaign-minute
-- this instance counted since the last flush. Counts add up on conflict (a flush that follows a
-- failed one carries the sum).

-- Adds decision counts per (campaign, minute) for one instance. Parallel arrays, one element per
-- campaign-minute. Rows are written in key order so concurrent flushes do not deadlock.
CREATE OR REPLACE FUNCTION pacer.add_decision_stats(
    p_instance_id        text,
    p_campaign_ids       uuid[],
    p_minutes            timestamptz[],
    p_allowed            bigint[],
    p_allowed_bid_micros bigint[],
    p_throttled          bigint[],
    p_denied_budget      bigint[],
    p_denied_breaker     bigint[],
    p_denied_paused      bigint[],
    p_denied_not_running bigint[],
    p_denied_other       bigint[]
)
RETURNS integer
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
DECLARE
    v_rows integer;
BEGIN
    INSERT INTO pacer.decision_stats AS s (campaign_id, minute, instance_id, allowed, allowed_bid_micros, throttled,
                                           denied_budget, denied_breaker, denied_paused, denied_not_running, denied_other)
    SELECT campaign_id, date_trunc('minute', minute), p_instance_id, sum(allowed), sum(allowed_bid_micros), sum(throttled),
           sum(denied_budget), sum(denied_breaker), sum(denied_paused), sum(denied_not_running), sum(denied_other)
      FROM unnest(p_campaign_ids, p_minutes, p_allowed, p_allowed_bid_micros, p_throttled, p_denied_budget,
                  p_denied_breaker, p_denied_paused, p_denied_not_running, p_denied_other)
           AS i(campaign_id, minute, allowed, allowed_bid_micros, throttled, denied_budget, denied_breaker,
                denied_paused, denied_not_running, denied_other)
     GROUP BY campaign_id, date_trunc('minute', minute)
     ORDER BY campaign_id, date_trunc('minute', minute)
    ON CONFLICT (campaign_id, minute, instance_id) DO UPDATE
       SET allowed = s.allowed + excluded.allowed,
           allowed_bid_micros = s.allowed_bid_micros + excluded.allowed_bid_micros,
           throttled = s.throttled + excluded.throttled,
           denied_budget = s.denied_budget + excluded.denied_budget,
           denied_breaker = s.denied_breaker + excluded.denied_breaker,
           denied_paused = s.denied_paused + excluded.denied_paused,
           denied_not_running = s.denied_not_running + excluded.denied_not_running,
           denied_other = s.denied_other + excluded.denied_other;
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    RETURN v_rows;
END;
$$;
