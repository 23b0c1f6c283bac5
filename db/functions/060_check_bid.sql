-- The per-request-database way of deciding a bid, kept as the benchmark's peer: one round trip
-- and one function call per bid, the design Pacer's in-memory decisions are measured against.
-- It checks status, flight, breaker and budget only (no pacing curve), so it does less work
-- than a real decision; the comparison flatters it.

-- Decides one bid from the database: 'ok' when the campaign is active, in its flight, its
-- breaker not open, and today's spend plus the bid fits in the daily budget.
CREATE OR REPLACE FUNCTION pacer.check_bid(p_campaign_id uuid, p_bid_micros bigint, p_now timestamptz)
RETURNS TABLE (allow boolean, reason text)
LANGUAGE plpgsql
STABLE
AS $$
DECLARE
    v_campaign pacer.campaigns%ROWTYPE;
    v_day      date;
    v_spent    bigint;
BEGIN
    SELECT * INTO v_campaign FROM pacer.campaigns WHERE id = p_campaign_id;
    IF NOT FOUND THEN
        RETURN QUERY SELECT false, 'unknown_campaign';
        RETURN;
    END IF;
    IF v_campaign.status <> 'active' THEN
        RETURN QUERY SELECT false, 'paused';
        RETURN;
    END IF;
    v_day := (p_now AT TIME ZONE v_campaign.timezone)::date;
    IF (v_campaign.start_date IS NOT NULL AND v_day < v_campaign.start_date)
       OR (v_campaign.end_date IS NOT NULL AND v_day > v_campaign.end_date) THEN
        RETURN QUERY SELECT false, 'not_running';
        RETURN;
    END IF;
    IF v_campaign.breaker_override = 'open'
       OR EXISTS (SELECT 1 FROM pacer.breaker_state b WHERE b.campaign_id = p_campaign_id AND b.state = 'open' AND b.day = v_day) THEN
        RETURN QUERY SELECT false, 'breaker_open';
        RETURN;
    END IF;
    SELECT coalesce(sum(d.spent_micros), 0) INTO v_spent
      FROM pacer.spend_daily d WHERE d.campaign_id = p_campaign_id AND d.day = v_day;
    IF v_spent + p_bid_micros > v_campaign.daily_budget_micros THEN
        RETURN QUERY SELECT false, 'budget_exhausted';
        RETURN;
    END IF;
    RETURN QUERY SELECT true, 'ok';
END;
$$;
