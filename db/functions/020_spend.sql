-- Durable spend: one call per group commit records a batch of win notices. Idempotent by
-- (campaign_id, event_id) through pacer.spend_event_ids; counters in the campaign's time zone.
-- Never NOTIFYs: this runs thousands of times a second and NOTIFY takes a global lock at commit.

-- Records a batch of spend events (parallel arrays, one element per event) and returns one row
-- per input element, in input order:
--   ord       the 1-based position in the input arrays
--   status    'recorded' (counted now), 'duplicate' (event id seen before, in an earlier call or
--             earlier in this batch; not counted again), 'unknown_campaign' (no such campaign)
--   day       the campaign-local day the spend counts towards (null for unknown campaigns)
--   spent_today_micros  the campaign's spend on that day after this batch
-- Data-modifying CTEs run exactly once whether or not the final SELECT reads them.
-- Rows of pacer.spend_daily and pacer.spend_hourly are updated once per campaign-day(-hour) of
-- the batch, in campaign order, so concurrent batches do not deadlock on them.
CREATE OR REPLACE FUNCTION pacer.record_spend(
    p_event_ids     text[],
    p_campaign_ids  uuid[],
    p_spend_micros  bigint[],
    p_impressions   integer[],
    p_clicks        integer[],
    p_request_ids   text[],
    p_occurred_at   timestamptz[],
    p_instance_id   text,
    p_journaled     boolean DEFAULT false
)
RETURNS TABLE (ord integer, status text, day date, spent_today_micros bigint)
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
DECLARE
    v_count integer := coalesce(array_length(p_event_ids, 1), 0);
BEGIN
    IF coalesce(array_length(p_campaign_ids, 1), 0) <> v_count
       OR coalesce(array_length(p_spend_micros, 1), 0) <> v_count
       OR coalesce(array_length(p_impressions, 1), 0) <> v_count
       OR coalesce(array_length(p_clicks, 1), 0) <> v_count
       OR coalesce(array_length(p_request_ids, 1), 0) <> v_count
       OR coalesce(array_length(p_occurred_at, 1), 0) <> v_count THEN
        RAISE EXCEPTION 'record_spend: all arrays must have % elements', v_count
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF EXISTS (SELECT 1 FROM unnest(p_spend_micros) s WHERE s IS NULL OR s < 0) THEN
        RAISE EXCEPTION 'record_spend: spend must be a non-negative number of micros'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    RETURN QUERY
    WITH input AS (
        SELECT i.ord::integer AS ord, i.event_id, i.campaign_id, i.spend_micros,
               coalesce(i.impressions, 1) AS impressions, coalesce(i.clicks, 0) AS clicks,
               i.request_id, coalesce(i.occurred_at, now()) AS occurred_at
          FROM unnest(p_event_ids, p_campaign_ids, p_spend_micros, p_impressions, p_clicks, p_request_ids, p_occurred_at)
               WITH ORDINALITY AS i(event_id, campaign_id, spend_micros, impressions, clicks, request_id, occurred_at, ord)
    ),
    located AS (
        SELECT input.*, c.id IS NOT NULL AS known,
               (input.occurred_at AT TIME ZONE c.timezone)::date AS local_day,
               extract(hour FROM input.occurred_at AT TIME ZONE c.timezone)::smallint AS local_hour,
               -- the first occurrence of an id within this batch is the one that may count
               row_number() OVER (PARTITION BY input.campaign_id, input.event_id ORDER BY input.ord) AS nth
          FROM input
          LEFT JOIN pacer.campaigns c ON c.id = input.campaign_id
    ),
    fresh AS (
        INSERT INTO pacer.spend_event_ids AS ids (campaign_id, event_id, day)
        SELECT l.campaign_id, l.event_id, l.local_day
          FROM located l
         WHERE l.known AND l.nth = 1
         ORDER BY l.campaign_id, l.event_id
        ON CONFLICT DO NOTHING
        RETURNING ids.campaign_id, ids.event_id
    ),
    counted AS (
        SELECT l.*
          FROM located l
          JOIN fresh f ON f.campaign_id = l.campaign_id AND f.event_id = l.event_id
         WHERE l.nth = 1
    ),
    events AS (
        INSERT INTO pacer.spend_events (campaign_id, day, event_id, request_id, spend_micros, impressions,
                                        clicks, occurred_at, instance_id, journaled)
        SELECT campaign_id, local_day, event_id, request_id, spend_micros, impressions, clicks, occurred_at,
               p_instance_id, p_journaled
          FROM counted
        RETURNING 1
    ),
    hourly AS (
        INSERT INTO pacer.spend_hourly AS h (campaign_id, day, hour, spent_micros, impressions, clicks, events)
        SELECT campaign_id, local_day, local_hour, sum(spend_micros), sum(impressions), sum(clicks), count(*)
          FROM counted
         GROUP BY campaign_id, local_day, local_hour
         ORDER BY campaign_id, local_day, local_hour
        ON CONFLICT (campaign_id, day, hour) DO UPDATE
           SET spent_micros = h.spent_micros + excluded.spent_micros,
               impressions = h.impressions + excluded.impressions,
               clicks = h.clicks + excluded.clicks,
               events = h.events + excluded.events,
               updated_at = now()
        RETURNING 1
    ),
    daily AS (
        INSERT INTO pacer.spend_daily AS d (campaign_id, day, spent_micros, impressions, clicks, events)
        SELECT campaign_id, local_day, sum(spend_micros), sum(impressions), sum(clicks), count(*)
          FROM counted
         GROUP BY campaign_id, local_day
         ORDER BY campaign_id, local_day
        ON CONFLICT (campaign_id, day) DO UPDATE
           SET spent_micros = d.spent_micros + excluded.spent_micros,
               impressions = d.impressions + excluded.impressions,
               clicks = d.clicks + excluded.clicks,
               events = d.events + excluded.events,
               updated_at = now()
        RETURNING d.campaign_id, d.day, d.spent_micros
    )
    SELECT l.ord,
           CASE WHEN NOT l.known THEN 'unknown_campaign'
                WHEN c.campaign_id IS NOT NULL THEN 'recorded'
                ELSE 'duplicate' END,
           CASE WHEN l.known THEN l.local_day END,
           coalesce(dl.spent_micros, sd.spent_micros)
      FROM located l
      LEFT JOIN counted c ON c.ord = l.ord
      LEFT JOIN daily dl ON dl.campaign_id = l.campaign_id AND dl.day = l.local_day
      LEFT JOIN pacer.spend_daily sd ON dl.campaign_id IS NULL AND sd.campaign_id = l.campaign_id AND sd.day = l.local_day
     ORDER BY l.ord;
END;
$$;

-- Spend of one campaign: today's (in its time zone, at p_now) and over all days before today.
-- The server seeds its in-memory ledger from this at start-up and when a campaign is (re)loaded.
CREATE OR REPLACE FUNCTION pacer.campaign_spend(p_campaign_id uuid, p_now timestamptz)
RETURNS TABLE (day date, spent_today_micros bigint, spent_before_today_micros bigint)
LANGUAGE sql
STABLE
AS $$
    SELECT t.day,
           coalesce((SELECT d.spent_micros FROM pacer.spend_daily d WHERE d.campaign_id = p_campaign_id AND d.day = t.day), 0),
           coalesce((SELECT sum(d.spent_micros) FROM pacer.spend_daily d WHERE d.campaign_id = p_campaign_id AND d.day < t.day), 0)::bigint
      FROM (SELECT (p_now AT TIME ZONE c.timezone)::date AS day FROM pacer.campaigns c WHERE c.id = p_campaign_id) t;
$$;
