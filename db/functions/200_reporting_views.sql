-- Reporting views (schema reporting) for analysts and BI tools; docs/reporting.md documents each
-- with example queries. Money is shown in cents as numeric (micros / 10,000, exact); times in the
-- campaign's own time zone where a column says local. Role pacer_reporting may read these views
-- and nothing else: the views read the base tables with their owner's rights.

-- Spend per campaign and campaign-local day, with the daily budget and the share of it used.
CREATE OR REPLACE VIEW reporting.spend_daily AS
SELECT s.campaign_id,
       c.name AS campaign_name,
       c.currency,
       c.timezone,
       s.day,
       s.spent_micros / 10000.0 AS spent_cents,
       c.daily_budget_micros / 10000.0 AS daily_budget_cents,
       round(s.spent_micros::numeric / c.daily_budget_micros, 6) AS budget_used_ratio,
       s.impressions,
       s.clicks,
       s.events
  FROM pacer.spend_daily s
  JOIN pacer.campaigns c ON c.id = s.campaign_id;
COMMENT ON VIEW reporting.spend_daily IS 'Spend per campaign and campaign-local day: cents, impressions, clicks, win notices, share of the daily budget used.';

-- Spend per campaign, local day and local hour, with the hour's start as a timestamp.
CREATE OR REPLACE VIEW reporting.spend_hourly AS
SELECT s.campaign_id,
       c.name AS campaign_name,
       c.currency,
       c.timezone,
       s.day,
       s.hour,
       ((s.day + make_interval(hours => s.hour)) AT TIME ZONE c.timezone) AS hour_start,
       s.spent_micros / 10000.0 AS spent_cents,
       s.impressions,
       s.clicks,
       s.events
  FROM pacer.spend_hourly s
  JOIN pacer.campaigns c ON c.id = s.campaign_id;
COMMENT ON VIEW reporting.spend_hourly IS 'Spend per campaign, campaign-local day and hour (0-23); hour_start is the hour''s start as a timestamp.';

-- Pacing accuracy: at the end of each local hour with spend, cumulative spend of the day against
-- the algorithm's target curve (EVEN linear, ASAP all at once, FRONT_LOADED 1-(1-x)^shape;
-- ADAPTIVE follows traffic learned in memory and is compared with the linear curve here).
CREATE OR REPLACE VIEW reporting.pacing_accuracy AS
WITH hours AS (
    SELECT s.campaign_id, s.day, s.hour, s.spent_micros,
           sum(s.spent_micros) OVER (PARTITION BY s.campaign_id, s.day ORDER BY s.hour) AS cumulative_micros
      FROM pacer.spend_hourly s
), shaped AS (
    SELECT h.*, c.name, c.pacing, c.daily_budget_micros,
           CASE c.pacing
               WHEN 'ASAP' THEN 1.0
               WHEN 'FRONT_LOADED' THEN 1.0 - power(1.0 - (h.hour + 1) / 24.0, greatest(1.0, coalesce(c.front_loaded_shape, 2.0)))
               ELSE (h.hour + 1) / 24.0
           END AS target_share
      FROM hours h
      JOIN pacer.campaigns c ON c.id = h.campaign_id
)
SELECT campaign_id,
       name AS campaign_name,
       pacing,
       day,
       hour,
       spent_micros / 10000.0 AS spent_cents,
       cumulative_micros / 10000.0 AS cumulative_spent_cents,
       round(daily_budget_micros * target_share::numeric / 10000.0, 4) AS target_cumulative_cents,
       round(cumulative_micros::numeric / daily_budget_micros, 6) AS actual_share,
       round(target_share::numeric, 6) AS target_share,
       round(cumulative_micros::numeric / daily_budget_micros - target_share::numeric, 6) AS deviation_ratio
  FROM shaped;
COMMENT ON VIEW reporting.pacing_accuracy IS 'Cumulative spend of each local day at the end of each hour against the pacing target; deviation_ratio = actual_share - target_share (share of the daily budget).';

-- Decision outcomes per campaign and UTC hour, summed over instances.
CREATE OR REPLACE VIEW reporting.decisions_hourly AS
SELECT d.campaign_id,
       c.name AS campaign_name,
       date_trunc('hour', d.minute) AS hour,
       sum(d.allowed) AS allowed,
       sum(d.throttled) AS throttled,
       sum(d.denied_budget) AS denied_budget,
       sum(d.denied_breaker) AS denied_breaker,
       sum(d.denied_paused) AS denied_paused,
       sum(d.denied_not_running) AS denied_not_running,
       sum(d.denied_other) AS denied_other,
       sum(d.allowed_bid_micros) / 10000.0 AS allowed_bid_cents
  FROM pacer.decision_stats d
  JOIN pacer.campaigns c ON c.id = d.campaign_id
 GROUP BY d.campaign_id, c.name, date_trunc('hour', d.minute);
COMMENT ON VIEW reporting.decisions_hourly IS 'Bid decisions per campaign and UTC hour by outcome, summed over server instances.';

-- Circuit-breaker transitions.
CREATE OR REPLACE VIEW reporting.breaker_events AS
SELECT e.campaign_id,
       c.name AS campaign_name,
       e.at,
       e.day,
       e.from_state,
       e.to_state,
       e.reason,
       e.spent_micros / 10000.0 AS spent_cents,
       e.budget_micros / 10000.0 AS budget_cents,
       e.instance_id
  FROM pacer.breaker_events e
  JOIN pacer.campaigns c ON c.id = e.campaign_id;
COMMENT ON VIEW reporting.breaker_events IS 'Every circuit-breaker transition: when, from and to which state, why, spend and budget of the day at that moment.';

-- Click delivery per partner and partner-local day.
CREATE OR REPLACE VIEW reporting.partner_delivery AS
SELECT d.partner_id,
       p.name AS partner_name,
       d.day,
       d.clicks_reserved,
       d.clicks_delivered,
       d.batches_delivered,
       d.batches_dead,
       p.daily_cap
  FROM pacer.partner_delivery_daily d
  JOIN pacer.partners p ON p.id = d.partner_id;
COMMENT ON VIEW reporting.partner_delivery IS 'Clicks and batches delivered or dead per partner and partner-local day, with the partner''s daily cap.';

-- The queue now, per partner. Each figure is a subquery on one partner so that it uses the
-- queue's partial indexes instead of reading delivered batches.
CREATE OR REPLACE VIEW reporting.partner_queue AS
SELECT p.id AS partner_id,
       p.name AS partner_name,
       p.status AS partner_status,
       w.batches_waiting,
       w.clicks_waiting,
       (SELECT count(*) FROM pacer.click_batches b WHERE b.partner_id = p.id AND b.state = 'leased') AS batches_in_flight,
       (SELECT count(*) FROM pacer.click_batches b WHERE b.partner_id = p.id AND b.state = 'dead') AS batches_dead,
       w.oldest_waiting_at
  FROM pacer.partners p
  CROSS JOIN LATERAL (
      SELECT count(*) AS batches_waiting, coalesce(sum(b.row_count), 0) AS clicks_waiting, min(b.created_at) AS oldest_waiting_at
        FROM pacer.click_batches b
       WHERE b.partner_id = p.id AND b.state IN ('pending', 'retrying')
  ) w
 WHERE p.status <> 'archived';
COMMENT ON VIEW reporting.partner_queue IS 'Current delivery queue per partner (archived partners left out): batches and clicks waiting, in flight, dead, and when the oldest waiting batch was sliced.';

-- The audit trail of click batches.
CREATE OR REPLACE VIEW reporting.batch_audit AS
SELECT a.id,
       a.at,
       a.batch_id,
       a.dataset_id,
       a.campaign_id,
       c.name AS campaign_name,
       a.partner_id,
       p.name AS partner_name,
       a.worker,
       a.from_state,
       a.to_state,
       a.attempt,
       a.http_status,
       a.error
  FROM pacer.batch_audit a
  LEFT JOIN pacer.campaigns c ON c.id = a.campaign_id
  LEFT JOIN pacer.partners p ON p.id = a.partner_id;
COMMENT ON VIEW reporting.batch_audit IS 'Every state change of every click batch: when, who, from and to which state, attempt, partner HTTP status and error.';

-- Read access to exactly these views.
GRANT SELECT ON ALL TABLES IN SCHEMA reporting TO pacer_reporting;
