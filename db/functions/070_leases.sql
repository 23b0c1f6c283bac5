-- Budget leases: how several instances share one campaign budget without overspending.
--
-- A lease is the slice of a campaign's day budget one instance may commit beyond the spend
-- PostgreSQL has recorded (spend_daily) at the moment of the lease. The function keeps, per
-- campaign and under a per-campaign lock:
--
--     spend_daily.spent_micros + sum of live slices <= the day's budget
--
-- A slice stays counted until it is replaced by the instance's next refresh or expires. Spend
-- recorded since a slice was granted is counted both in spend_daily and in the slice until the
-- next refresh, which only makes the sum larger: grants err on the side of less. A refresh never
-- cuts an instance's slice below the reservations it reports (bids it allowed that may still
-- win), because those were covered by its previous slice.
--
-- One call per refresh carries all of an instance's campaigns and doubles as its heartbeat.

-- The day's budget of a campaign on a local day, given what it spent on earlier days: the lesser
-- of the daily budget and the remaining total budget per remaining flight day (0 outside the
-- flight). The same arithmetic as the pacing engine's BudgetDay.budget.
CREATE OR REPLACE FUNCTION pacer.day_budget(p_campaign pacer.campaigns, p_day date, p_spent_before bigint)
RETURNS bigint
LANGUAGE sql
IMMUTABLE
AS $$
    SELECT CASE
        WHEN (p_campaign.start_date IS NOT NULL AND p_day < p_campaign.start_date)
          OR (p_campaign.end_date IS NOT NULL AND p_day > p_campaign.end_date) THEN 0
        WHEN p_campaign.total_budget_micros IS NULL THEN p_campaign.daily_budget_micros
        WHEN p_campaign.end_date IS NULL THEN
            greatest(0, least(p_campaign.daily_budget_micros, p_campaign.total_budget_micros - p_spent_before))
        ELSE greatest(0, least(p_campaign.daily_budget_micros,
            (greatest(0, p_campaign.total_budget_micros - p_spent_before)) / (p_campaign.end_date - p_day + 1)))
    END;
$$;

-- Refreshes this instance's leases for the given campaigns (parallel arrays) and records its
-- heartbeat. p_reserved: what the instance has reserved for allowed bids awaiting their win
-- notice; p_wanted: the slice it would like (reservations included). Leases of this instance
-- for campaigns not listed are left to expire. Returns per campaign the local day, the day's
-- budget, the spend recorded today and before today, the slice granted, the part of it nobody
-- else held (free_micros; the rest only covers the reported reservations) and its expiry.
--
-- A reported reservation whose win was committed before this call is counted both in the spend
-- and in the slice; only the instance can tell which (from the spend it observed after its own
-- commits), so it never uses more than free_micros of a slice for new bids.
DROP FUNCTION IF EXISTS pacer.refresh_leases(text, text, integer, text, timestamptz, uuid[], bigint[], bigint[], double precision);
CREATE FUNCTION pacer.refresh_leases(
    p_instance_id     text,
    p_host            text,
    p_pid             integer,
    p_address         text,
    p_now             timestamptz,
    p_campaign_ids    uuid[],
    p_reserved        bigint[],
    p_wanted          bigint[],
    p_ttl_seconds     double precision
)
RETURNS TABLE (campaign_id uuid, day date, day_budget_micros bigint, spent_today_micros bigint,
               granted_micros bigint, expires_at timestamptz, live_instances integer,
               spent_before_micros bigint, free_micros bigint)
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
DECLARE
    v_item      record;
    v_campaign  pacer.campaigns;
    v_day       date;
    v_before    bigint;
    v_spent     bigint;
    v_budget    bigint;
    v_others    bigint;
    v_grant     bigint;
    v_free      bigint;
    v_expires   timestamptz;
    v_now       timestamptz;
    v_live      integer;
    v_holding   boolean;
BEGIN
    IF p_ttl_seconds IS NULL OR p_ttl_seconds <= 0 THEN
        RAISE EXCEPTION 'refresh_leases: p_ttl_seconds must be positive' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF coalesce(array_length(p_campaign_ids, 1), 0) <> coalesce(array_length(p_reserved, 1), 0)
       OR coalesce(array_length(p_campaign_ids, 1), 0) <> coalesce(array_length(p_wanted, 1), 0) THEN
        RAISE EXCEPTION 'refresh_leases: arrays must have the same length' USING ERRCODE = 'invalid_parameter_value';
    END IF;

    INSERT INTO pacer.instances AS i (id, host, pid, address, started_at, last_heartbeat, status)
    VALUES (p_instance_id, p_host, p_pid, p_address, p_now, p_now, 'running')
    ON CONFLICT (id) DO UPDATE
       SET last_heartbeat = p_now, host = excluded.host, pid = excluded.pid,
           address = coalesce(excluded.address, i.address),
           status = CASE WHEN i.status = 'stopped' THEN 'running' ELSE i.status END,
           stopped_at = NULL;

    SELECT count(*) INTO v_live FROM pacer.instances i
     WHERE i.status <> 'stopped' AND i.last_heartbeat > p_now - make_interval(secs => p_ttl_seconds);

    -- Campaign order, so two instances refreshing overlapping campaigns never deadlock.
    FOR v_item IN
        SELECT u.campaign_id, greatest(0, coalesce(u.reserved, 0)) AS reserved, greatest(0, coalesce(u.wanted, 0)) AS wanted
          FROM unnest(p_campaign_ids, p_reserved, p_wanted) AS u(campaign_id, reserved, wanted)
         ORDER BY u.campaign_id
    LOOP
        SELECT * INTO v_campaign FROM pacer.campaigns c WHERE c.id = v_item.campaign_id;
        CONTINUE WHEN NOT FOUND;
        PERFORM pg_advisory_xact_lock(hashtextextended('pacer.lease:' || v_item.campaign_id::text, 0));

        -- Callers pass the time their refresh began, which a busy caller may send seconds late.
        -- Time must not go backwards for a campaign: a refresh never judges leases by an older
        -- time than one already used for them, or a late caller could still count (and keep
        -- covering) a slice that a more current refresh already saw expire and handed on.
        SELECT greatest(p_now, max(l.renewed_at)) INTO v_now
          FROM pacer.budget_leases l WHERE l.campaign_id = v_item.campaign_id;
        v_expires := v_now + make_interval(secs => p_ttl_seconds);

        v_day := (v_now AT TIME ZONE v_campaign.timezone)::date;
        SELECT coalesce(sum(CASE WHEN d.day = v_day THEN d.spent_micros END), 0),
               coalesce(sum(CASE WHEN d.day < v_day THEN d.spent_micros END), 0)
          INTO v_spent, v_before
          FROM pacer.spend_daily d WHERE d.campaign_id = v_item.campaign_id;
        v_budget := CASE WHEN v_campaign.status = 'archived' THEN 0 ELSE pacer.day_budget(v_campaign, v_day, v_before) END;

        -- The live slices of the other instances, and whether this instance holds one. Only the
        -- campaign is in the WHERE clause, so the primary key finds its few rows (one per
        -- instance): a condition on expires_at or instance_id could lead the planner to walk
        -- those indexes through every campaign's leases instead.
        SELECT coalesce(sum(l.granted_micros) FILTER (WHERE l.instance_id <> p_instance_id AND l.day = v_day AND l.expires_at > v_now), 0),
               coalesce(bool_or(l.instance_id = p_instance_id AND l.day = v_day AND l.expires_at > v_now), false)
          INTO v_others, v_holding
          FROM pacer.budget_leases l
         WHERE l.campaign_id = v_item.campaign_id;

        -- What nobody holds, but never less than the reservations this instance already made
        -- under its previous slice (they are covered by it) — as long as that slice is still
        -- live. Once it expired its money may be another instance's, and its reservations have
        -- expired too (a reservation never outlives the slice it was made under).
        v_free := least(v_item.wanted, greatest(0, v_budget - v_spent - v_others));
        v_grant := v_free;
        IF v_holding THEN
            v_grant := greatest(v_grant, v_item.reserved);
        END IF;

        INSERT INTO pacer.budget_leases AS l (campaign_id, instance_id, day, granted_micros, spent_micros, expires_at, renewed_at)
        VALUES (v_item.campaign_id, p_instance_id, v_day, v_grant, v_spent, v_expires, v_now)
        ON CONFLICT (campaign_id, instance_id) DO UPDATE
           SET day = excluded.day, granted_micros = excluded.granted_micros, spent_micros = excluded.spent_micros,
               expires_at = excluded.expires_at, renewed_at = excluded.renewed_at;

        campaign_id := v_item.campaign_id;
        day := v_day;
        day_budget_micros := v_budget;
        spent_today_micros := v_spent;
        granted_micros := v_grant;
        expires_at := v_expires;
        live_instances := v_live;
        spent_before_micros := v_before;
        free_micros := v_free;
        RETURN NEXT;
    END LOOP;
END;
$$;

-- Gives back every lease of an instance (on shutdown) and marks it stopped. Its reservations
-- are reported so that what may still win stays covered for p_hold_seconds; a campaign not
-- listed has none, and its lease ends now.
CREATE OR REPLACE FUNCTION pacer.release_leases(p_instance_id text, p_now timestamptz, p_campaign_ids uuid[],
                                                p_reserved bigint[], p_hold_seconds double precision)
RETURNS integer
LANGUAGE plpgsql
-- The UPDATE below joins every lease of the instance with every reservation. Right after start-up
-- the planner's statistics may not know the instance's rows yet and estimate one; a nested loop
-- on that estimate is quadratic (minutes for 100,000 campaigns). Hash joins are linear whatever
-- the estimates.
SET enable_nestloop = off
AS $$
DECLARE
    v_rows integer;
BEGIN
    UPDATE pacer.budget_leases l
       SET granted_micros = coalesce(r.reserved, 0),
           expires_at = CASE WHEN coalesce(r.reserved, 0) > 0 THEN p_now + make_interval(secs => p_hold_seconds) ELSE p_now END,
           renewed_at = p_now
      FROM pacer.budget_leases l2
      LEFT JOIN unnest(p_campaign_ids, p_reserved) AS r(campaign_id, reserved) ON r.campaign_id = l2.campaign_id
     WHERE l.campaign_id = l2.campaign_id AND l.instance_id = l2.instance_id AND l.instance_id = p_instance_id;
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    UPDATE pacer.instances SET status = 'stopped', stopped_at = p_now, last_heartbeat = p_now WHERE id = p_instance_id;
    RETURN v_rows;
END;
$$;
