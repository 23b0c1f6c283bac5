-- Demo data for `make run`: one campaign per pacing algorithm in several time zones, a paused
-- one, a paused demo partner, and spend counters for today (up to the current local hour of each
-- campaign) and the six days before, so the dashboard and ADAPTIVE's history have something to
-- show. Re-runnable: every insert is ON CONFLICT DO NOTHING, so running it again the same day
-- changes nothing, and on a later day adds that day's rows.
--
--   psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -f scripts/seed-demo.sql
--
-- Needs the schema and functions (Migrator up) first.

BEGIN;

SELECT pacer.ensure_all_partitions(current_date - 7, 10) AS partitions_created;

INSERT INTO pacer.campaigns
    (id, name, daily_budget_micros, total_budget_micros, pacing, timezone, currency,
     start_date, end_date, status, cost_per_click_micros, front_loaded_shape)
VALUES
    ('d0000000-0000-4000-8000-000000000001', 'Demo EVEN - New York', 500000000, NULL, 'EVEN',
     'America/New_York', 'USD', NULL, NULL, 'active', 150000, NULL),
    ('d0000000-0000-4000-8000-000000000002', 'Demo ASAP - London', 200000000, NULL, 'ASAP',
     'Europe/London', 'GBP', NULL, NULL, 'active', NULL, NULL),
    ('d0000000-0000-4000-8000-000000000003', 'Demo FRONT_LOADED - Tokyo', 300000000, NULL, 'FRONT_LOADED',
     'Asia/Tokyo', 'USD', NULL, NULL, 'active', NULL, 2.0),
    ('d0000000-0000-4000-8000-000000000004', 'Demo ADAPTIVE - Los Angeles', 1000000000, 25000000000, 'ADAPTIVE',
     'America/Los_Angeles', 'USD', current_date - 7, current_date + 23, 'active', 200000, NULL),
    ('d0000000-0000-4000-8000-000000000005', 'Demo paused - Berlin', 150000000, NULL, 'EVEN',
     'Europe/Berlin', 'EUR', NULL, NULL, 'paused', NULL, NULL)
ON CONFLICT (id) DO NOTHING;

INSERT INTO pacer.partners (id, name, endpoint_url, format, headers, rate_limit_per_second, daily_cap, batch_size, status)
VALUES ('d0000000-0000-4000-8000-0000000000a1', 'Demo partner (paused)', 'http://127.0.0.1:9/clicks', 'ndjson',
        '{"X-Demo": "1"}', 50, 100000, 500, 'paused')
ON CONFLICT (id) DO NOTHING;
INSERT INTO pacer.partner_rate_buckets (partner_id, tokens)
VALUES ('d0000000-0000-4000-8000-0000000000a1', 50)
ON CONFLICT (partner_id) DO NOTHING;

-- Hourly spend: each algorithm's share of the day per local hour, a deterministic wobble, scaled
-- so a full day spends a little under the budget; today only up to the current local time.
CREATE TEMP TABLE demo_hourly ON COMMIT DROP AS
WITH traffic (hour, weight) AS (
    SELECT h - 1, w
      FROM unnest(ARRAY[2, 1, 1, 1, 1, 2, 3, 5, 7, 8, 8, 8, 8, 8, 7, 7, 7, 8, 9, 10, 9, 7, 5, 3]::float8[])
           WITH ORDINALITY AS t (w, h)
),
campaign_days AS (
    SELECT c.id, c.pacing, c.daily_budget_micros, c.status, coalesce(c.front_loaded_shape, 2.0) AS shape,
           (now() AT TIME ZONE c.timezone)::date - back AS day,
           back = 0 AS is_today,
           (now() AT TIME ZONE c.timezone)::time AS local_time
      FROM pacer.campaigns c
     CROSS JOIN generate_series(0, 6) AS back
     WHERE c.id BETWEEN 'd0000000-0000-4000-8000-000000000001' AND 'd0000000-0000-4000-8000-000000000005'
),
shares AS (
    SELECT cd.*, t.hour, t.weight,
           CASE cd.pacing
               WHEN 'EVEN' THEN 1.0 / 24
               WHEN 'FRONT_LOADED' THEN power(1 - t.hour / 24.0, cd.shape) - power(1 - (t.hour + 1) / 24.0, cd.shape)
               WHEN 'ADAPTIVE' THEN t.weight / sum(t.weight) OVER (PARTITION BY cd.id, cd.day)
               -- ASAP: as fast as traffic allows, about 2.5x the budget on offer, until the breaker
               WHEN 'ASAP' THEN least(1.0, 2.5 * sum(t.weight) OVER w_cum / sum(t.weight) OVER (PARTITION BY cd.id, cd.day))
                              - least(1.0, 2.5 * (sum(t.weight) OVER w_cum - t.weight) / sum(t.weight) OVER (PARTITION BY cd.id, cd.day))
           END AS share,
           0.85 + (abs(hashtext(cd.id::text || cd.day::text || t.hour::text)) % 1000) / 3333.0 AS wobble
      FROM campaign_days cd
     CROSS JOIN traffic t
    WINDOW w_cum AS (PARTITION BY cd.id, cd.day ORDER BY t.hour)
),
scaled AS (
    SELECT s.*,
           s.share * s.wobble / nullif(sum(s.share * s.wobble) OVER (PARTITION BY s.id, s.day), 0)
               * CASE s.pacing WHEN 'ASAP' THEN 0.96 ELSE 0.97 END AS day_share,
           CASE
               WHEN NOT s.is_today THEN 1.0
               WHEN s.hour < extract(hour FROM s.local_time) THEN 1.0
               WHEN s.hour = extract(hour FROM s.local_time) THEN extract(minute FROM s.local_time) / 60.0
               ELSE 0.0
           END AS elapsed
      FROM shares s
)
SELECT id AS campaign_id, day, hour::smallint AS hour,
       floor(daily_budget_micros * day_share * elapsed)::bigint AS spent_micros
  FROM scaled
 WHERE NOT (is_today AND status = 'paused');

-- About $2 CPM: 2,000 micros an impression; one click in 400 impressions.
INSERT INTO pacer.spend_hourly (campaign_id, day, hour, spent_micros, impressions, clicks, events)
SELECT campaign_id, day, hour, spent_micros, spent_micros / 2000, spent_micros / 800000, spent_micros / 2000
  FROM demo_hourly
 WHERE spent_micros > 0
ON CONFLICT (campaign_id, day, hour) DO NOTHING;

INSERT INTO pacer.spend_daily (campaign_id, day, spent_micros, impressions, clicks, events)
SELECT campaign_id, day, sum(spent_micros), sum(spent_micros / 2000), sum(spent_micros / 800000), sum(spent_micros / 2000)
  FROM demo_hourly
 GROUP BY campaign_id, day
HAVING sum(spent_micros) > 0
ON CONFLICT (campaign_id, day) DO NOTHING;

-- Decision outcomes for the last hour, as the write-behind would have recorded them.
INSERT INTO pacer.decision_stats
    (campaign_id, minute, instance_id, allowed, allowed_bid_micros, throttled, denied_budget, denied_breaker, denied_paused)
SELECT c.id, m.minute, 'demo-seed',
       base.allowed, base.allowed * 2500,
       CASE c.pacing WHEN 'ASAP' THEN 0 WHEN 'FRONT_LOADED' THEN base.allowed / 2 ELSE base.allowed END,
       CASE c.pacing WHEN 'ASAP' THEN base.allowed * 2 ELSE 0 END,
       CASE c.pacing WHEN 'ASAP' THEN base.allowed / 4 ELSE 0 END,
       CASE c.status WHEN 'paused' THEN 200 + base.allowed ELSE 0 END
  FROM pacer.campaigns c
 CROSS JOIN generate_series(date_trunc('minute', now()) - interval '59 minutes', date_trunc('minute', now()), interval '1 minute') AS m (minute)
 CROSS JOIN LATERAL (
        SELECT CASE WHEN c.status = 'paused' THEN 0
                    ELSE 150 + abs(hashtext(c.id::text || m.minute::text)) % 120 END AS allowed
       ) AS base
 WHERE c.id BETWEEN 'd0000000-0000-4000-8000-000000000001' AND 'd0000000-0000-4000-8000-000000000005'
ON CONFLICT (campaign_id, minute, instance_id) DO NOTHING;

-- Yesterday the ASAP campaign tripped its breaker, probed and closed again with a heavy throttle.
INSERT INTO pacer.breaker_events (campaign_id, at, day, from_state, to_state, reason, spent_micros, budget_micros, instance_id)
SELECT c.id, t.at, (t.at AT TIME ZONE c.timezone)::date, t.from_state, t.to_state, t.reason, t.spent, c.daily_budget_micros, 'demo-seed'
  FROM pacer.campaigns c
 CROSS JOIN LATERAL (VALUES
        (date_trunc('day', now()) - interval '1 day' + interval '7 hours', 'closed', 'open', 'trip_ratio', (c.daily_budget_micros * 0.95)::bigint),
        (date_trunc('day', now()) - interval '1 day' + interval '7 hours 30 seconds', 'open', 'half_open', 'cooldown_elapsed', (c.daily_budget_micros * 0.95)::bigint),
        (date_trunc('day', now()) - interval '1 day' + interval '7 hours 31 seconds', 'half_open', 'closed', 'probes_done', (c.daily_budget_micros * 0.951)::bigint)
       ) AS t (at, from_state, to_state, reason, spent)
 WHERE c.id = 'd0000000-0000-4000-8000-000000000002'
   AND NOT EXISTS (SELECT 1 FROM pacer.breaker_events e WHERE e.campaign_id = c.id AND e.instance_id = 'demo-seed' AND e.at = t.at);

COMMIT;

SELECT c.name, c.pacing, c.timezone, d.day, round(d.spent_micros / 1e6, 2) AS spent_today, round(c.daily_budget_micros / 1e6, 2) AS daily_budget
  FROM pacer.campaigns c
  LEFT JOIN pacer.spend_daily d ON d.campaign_id = c.id AND d.day = (now() AT TIME ZONE c.timezone)::date
 WHERE c.id BETWEEN 'd0000000-0000-4000-8000-000000000001' AND 'd0000000-0000-4000-8000-000000000005'
 ORDER BY c.name;
