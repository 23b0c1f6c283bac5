-- 0001_core_schema: the tables of the RTB side of Pacer (SPEC sections 3-5).
--
-- Why: PostgreSQL is the source of truth for campaign config, durable spend, breaker state,
-- budget leases, instances and API tokens; the servers cache them and write behind. Designed so
-- that later work adds columns, tables and functions rather than rewriting these:
--
-- * Money is BIGINT micros (millionths of the campaign's currency unit); never NUMERIC or float.
-- * Every table that belongs to a campaign carries campaign_id, and its primary key starts with
--   it where that is cheap, so the schema could be distributed by campaign_id (Citus) later.
-- * High-rate tables (spend_events, spend_event_ids, spend_daily, spend_hourly, decision_stats)
--   have no foreign keys: a foreign-key check takes a KEY SHARE row lock on the campaign row from
--   every writer, which turns into multixact churn at thousands of writes per second. The
--   functions that write them look the campaign up (they need its time zone anyway).
-- * Rows that pile up (spend_events, decision_stats) are partitioned by day so retention drops
--   partitions instead of deleting rows. Each partitioned table has a DEFAULT partition so that a
--   write never fails for want of a partition; pacer.ensure_daily_partitions (db/functions)
--   creates the dated partitions ahead and moves any rows the default caught.
-- * Low-rate changes (config, breaker transitions) may NOTIFY; spend and counters never do.

CREATE SCHEMA IF NOT EXISTS pacer;
COMMENT ON SCHEMA pacer IS 'Pacer''s tables and functions. Reporting views live in schema reporting.';

-- Campaigns -------------------------------------------------------------------------------------

CREATE TABLE pacer.campaigns (
    id                         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name                       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    daily_budget_micros        bigint NOT NULL CHECK (daily_budget_micros > 0),
    total_budget_micros        bigint CHECK (total_budget_micros > 0),
    pacing                     text NOT NULL CHECK (pacing IN ('EVEN', 'ASAP', 'FRONT_LOADED', 'ADAPTIVE')),
    timezone                   text NOT NULL DEFAULT 'UTC',
    currency                   char(3) NOT NULL DEFAULT 'USD' CHECK (currency ~ '^[A-Z]{3}$'),
    start_date                 date,
    end_date                   date,
    status                     text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'archived')),
    cost_per_click_micros      bigint CHECK (cost_per_click_micros >= 0),
    daily_click_cap            bigint CHECK (daily_click_cap >= 0),
    front_loaded_shape         double precision CHECK (front_loaded_shape > 0),
    breaker_trip_ratio         double precision NOT NULL DEFAULT 0.95 CHECK (breaker_trip_ratio > 0 AND breaker_trip_ratio <= 1),
    breaker_cooldown_seconds   integer NOT NULL DEFAULT 30 CHECK (breaker_cooldown_seconds > 0),
    breaker_probe_bids         integer NOT NULL DEFAULT 2 CHECK (breaker_probe_bids >= 0),
    breaker_recovery_throttle  double precision NOT NULL DEFAULT 0.9 CHECK (breaker_recovery_throttle >= 0 AND breaker_recovery_throttle <= 1),
    breaker_override           text NOT NULL DEFAULT 'none' CHECK (breaker_override IN ('none', 'open', 'closed')),
    created_at                 timestamptz NOT NULL DEFAULT now(),
    updated_at                 timestamptz NOT NULL DEFAULT now(),
    version                    bigint NOT NULL DEFAULT 1 CHECK (version > 0),
    CONSTRAINT campaigns_flight_check CHECK (end_date IS NULL OR start_date IS NULL OR end_date >= start_date)
);
COMMENT ON TABLE pacer.campaigns IS
    'One row per campaign: budgets, pacing algorithm, flight, breaker settings. Low-rate config; servers cache it and hear of changes by NOTIFY. Deleting a campaign through the API archives it (status = archived) so late win notices are still recorded.';
COMMENT ON COLUMN pacer.campaigns.daily_budget_micros IS 'Budget per campaign-local day, in micros (1 cent = 10,000 micros).';
COMMENT ON COLUMN pacer.campaigns.total_budget_micros IS 'Budget over the whole flight, in micros; NULL for none. With a flight, a day''s budget is the lesser of daily_budget_micros and the remaining total divided by the remaining days.';
COMMENT ON COLUMN pacer.campaigns.pacing IS 'Pacing algorithm: EVEN, ASAP, FRONT_LOADED or ADAPTIVE.';
COMMENT ON COLUMN pacer.campaigns.timezone IS 'IANA time zone name; the campaign''s day rolls over at its local midnight. Validated by the API against the zones PostgreSQL knows (pg_timezone_names).';
COMMENT ON COLUMN pacer.campaigns.currency IS 'ISO 4217 code; all *_micros amounts of the campaign are in this currency.';
COMMENT ON COLUMN pacer.campaigns.start_date IS 'First local day of the flight (inclusive); NULL: running since creation.';
COMMENT ON COLUMN pacer.campaigns.end_date IS 'Last local day of the flight (inclusive); NULL: open-ended.';
COMMENT ON COLUMN pacer.campaigns.status IS 'active: bids are decided; paused: every bid is denied (paused); archived: deleted through the API, denied, still records spend.';
COMMENT ON COLUMN pacer.campaigns.cost_per_click_micros IS 'Price of one delivered click of the click pipeline, charged against the budget; NULL: clicks cost nothing.';
COMMENT ON COLUMN pacer.campaigns.daily_click_cap IS 'Clicks the click pipeline may deliver per campaign-local day, over all partners; NULL: no cap.';
COMMENT ON COLUMN pacer.campaigns.front_loaded_shape IS 'Shape parameter of the FRONT_LOADED curve (larger = more spend early); NULL: the pacing engine''s default.';
COMMENT ON COLUMN pacer.campaigns.breaker_trip_ratio IS 'The breaker opens when today''s spend reaches this share of the day''s budget.';
COMMENT ON COLUMN pacer.campaigns.breaker_cooldown_seconds IS 'How long an open breaker denies every bid before it lets probes through (half-open).';
COMMENT ON COLUMN pacer.campaigns.breaker_probe_bids IS 'Bids let through while half-open, each only if it fits in the remaining budget.';
COMMENT ON COLUMN pacer.campaigns.breaker_recovery_throttle IS 'Share of bids denied after the breaker closes again, for the last part of the budget.';
COMMENT ON COLUMN pacer.campaigns.breaker_override IS 'Kill switch for this campaign: open forces the breaker open (deny all), closed forces it closed (the budget still caps), none lets it work.';
COMMENT ON COLUMN pacer.campaigns.version IS 'Optimistic concurrency: every update sets version = version + 1 WHERE version = the version read; a miss is a 409.';

CREATE INDEX campaigns_status_idx ON pacer.campaigns (status) WHERE status <> 'archived';

-- A singleton row for switches that apply to every campaign.
CREATE TABLE pacer.global_controls (
    id                boolean PRIMARY KEY DEFAULT true CHECK (id),
    breaker_override  text NOT NULL DEFAULT 'none' CHECK (breaker_override IN ('none', 'open', 'closed')),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    version           bigint NOT NULL DEFAULT 1 CHECK (version > 0)
);
INSERT INTO pacer.global_controls (id) VALUES (true);
COMMENT ON TABLE pacer.global_controls IS 'Exactly one row: switches over all campaigns.';
COMMENT ON COLUMN pacer.global_controls.breaker_override IS 'Global kill switch: open denies every bid of every campaign; closed forces every breaker closed (budgets still cap); none defers to each campaign.';

-- Spend counters --------------------------------------------------------------------------------

CREATE TABLE pacer.spend_daily (
    campaign_id   uuid NOT NULL,
    day           date NOT NULL,
    spent_micros  bigint NOT NULL DEFAULT 0 CHECK (spent_micros >= 0),
    impressions   bigint NOT NULL DEFAULT 0 CHECK (impressions >= 0),
    clicks        bigint NOT NULL DEFAULT 0 CHECK (clicks >= 0),
    events        bigint NOT NULL DEFAULT 0 CHECK (events >= 0),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (campaign_id, day)
);
COMMENT ON TABLE pacer.spend_daily IS
    'Durable spend per campaign and campaign-local day, updated in the same transaction as the spend events it counts (one update per campaign per group commit). Total spend of a campaign is the sum over its days.';
COMMENT ON COLUMN pacer.spend_daily.day IS 'The campaign-local date (in campaigns.timezone) the spend counts towards.';
COMMENT ON COLUMN pacer.spend_daily.events IS 'Spend events counted (duplicates excluded).';

CREATE TABLE pacer.spend_hourly (
    campaign_id   uuid NOT NULL,
    day           date NOT NULL,
    hour          smallint NOT NULL CHECK (hour BETWEEN 0 AND 23),
    spent_micros  bigint NOT NULL DEFAULT 0 CHECK (spent_micros >= 0),
    impressions   bigint NOT NULL DEFAULT 0 CHECK (impressions >= 0),
    clicks        bigint NOT NULL DEFAULT 0 CHECK (clicks >= 0),
    events        bigint NOT NULL DEFAULT 0 CHECK (events >= 0),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (campaign_id, day, hour)
);
COMMENT ON TABLE pacer.spend_hourly IS
    'Spend per campaign, local day and local hour: the spend curve of the day for the dashboard and the history ADAPTIVE learns its traffic shape from. Keyed by local wall-clock hour: on a DST fall-back day the repeated hour shares one row, on a spring-forward day the skipped hour has none.';
COMMENT ON COLUMN pacer.spend_hourly.day IS 'The campaign-local date.';
COMMENT ON COLUMN pacer.spend_hourly.hour IS 'The campaign-local hour of day, 0-23.';

-- Spend events ----------------------------------------------------------------------------------
--
-- Idempotency by event id across partitions. A unique index on a partitioned table must include
-- the partition key, so spend_events alone cannot reject an event id seen on another day (a
-- retried or journal-replayed event may be computed into a different day than its first copy).
-- The dedup key therefore lives in spend_event_ids, a plain table whose primary key is
-- (campaign_id, event_id): the spend function inserts there first with ON CONFLICT DO NOTHING
-- and only the ids it inserted go on to spend_events and the counters, all in one transaction.
-- The key includes campaign_id so the table can be distributed by campaign like the rest; an
-- event id is unique within its campaign (the API always names both). spend_event_ids rows are
-- narrow (no payload), so the dedup window can be long; they are pruned beyond it by day, in
-- small batches (see pacer.prune_spend_event_ids), while the wide spend_events rows go with
-- their partitions.

CREATE TABLE pacer.spend_event_ids (
    campaign_id  uuid NOT NULL,
    event_id     text NOT NULL CHECK (length(event_id) BETWEEN 1 AND 200),
    day          date NOT NULL,
    PRIMARY KEY (campaign_id, event_id)
);
COMMENT ON TABLE pacer.spend_event_ids IS
    'Dedup keys of every spend event counted: makes POST /v1/spend idempotent by event id across spend_events partitions. Not partitioned on purpose; rows older than the dedup window are pruned by day.';
COMMENT ON COLUMN pacer.spend_event_ids.day IS 'The spend_events partition (campaign-local day) the event was counted in; used to find it and to prune.';
-- Rows arrive in day order, so a BRIN index finds old days for pruning at almost no write cost.
CREATE INDEX spend_event_ids_day_brin ON pacer.spend_event_ids USING brin (day);

CREATE TABLE pacer.spend_events (
    campaign_id   uuid NOT NULL,
    day           date NOT NULL,
    event_id      text NOT NULL CHECK (length(event_id) BETWEEN 1 AND 200),
    request_id    text,
    spend_micros  bigint NOT NULL CHECK (spend_micros >= 0),
    impressions   integer NOT NULL DEFAULT 1 CHECK (impressions >= 0),
    clicks        integer NOT NULL DEFAULT 0 CHECK (clicks >= 0),
    occurred_at   timestamptz NOT NULL,
    recorded_at   timestamptz NOT NULL DEFAULT now(),
    instance_id   text,
    journaled     boolean NOT NULL DEFAULT false,
    PRIMARY KEY (campaign_id, day, event_id)
) PARTITION BY RANGE (day);
COMMENT ON TABLE pacer.spend_events IS
    'Every counted win notice, partitioned by campaign-local day (partitions spend_events_pYYYYMMDD; retention drops them). Uniqueness of event ids is enforced by spend_event_ids, not here.';
COMMENT ON COLUMN pacer.spend_events.day IS 'The campaign-local day the spend counts towards (partition key).';
COMMENT ON COLUMN pacer.spend_events.event_id IS 'The bidder''s id of the win notice; unique per campaign (see spend_event_ids).';
COMMENT ON COLUMN pacer.spend_events.request_id IS 'The decision request this win settles, if the bidder sent it; releases that reservation.';
COMMENT ON COLUMN pacer.spend_events.occurred_at IS 'When the server received the event (for journaled events: when it was journaled), which fixes its day and hour.';
COMMENT ON COLUMN pacer.spend_events.recorded_at IS 'When the event was committed to PostgreSQL.';
COMMENT ON COLUMN pacer.spend_events.instance_id IS 'The server instance that recorded the event (instances.id).';
COMMENT ON COLUMN pacer.spend_events.journaled IS 'True when the event was acknowledged from the local journal during a PostgreSQL outage and replayed later.';

CREATE TABLE pacer.spend_events_default PARTITION OF pacer.spend_events DEFAULT;
COMMENT ON TABLE pacer.spend_events_default IS 'Catches events for days without a partition yet; pacer.ensure_daily_partitions moves them out when it creates the day.';

CREATE INDEX spend_events_request_idx ON pacer.spend_events (campaign_id, request_id) WHERE request_id IS NOT NULL;

-- Decision time series -------------------------------------------------------------------------

CREATE TABLE pacer.decision_stats (
    campaign_id          uuid NOT NULL,
    minute               timestamptz NOT NULL CHECK (minute = date_trunc('minute', minute)),
    instance_id          text NOT NULL,
    allowed              bigint NOT NULL DEFAULT 0 CHECK (allowed >= 0),
    allowed_bid_micros   bigint NOT NULL DEFAULT 0 CHECK (allowed_bid_micros >= 0),
    throttled            bigint NOT NULL DEFAULT 0 CHECK (throttled >= 0),
    denied_budget        bigint NOT NULL DEFAULT 0 CHECK (denied_budget >= 0),
    denied_breaker       bigint NOT NULL DEFAULT 0 CHECK (denied_breaker >= 0),
    denied_paused        bigint NOT NULL DEFAULT 0 CHECK (denied_paused >= 0),
    denied_not_running   bigint NOT NULL DEFAULT 0 CHECK (denied_not_running >= 0),
    denied_other         bigint NOT NULL DEFAULT 0 CHECK (denied_other >= 0),
    PRIMARY KEY (campaign_id, minute, instance_id)
) PARTITION BY RANGE (minute);
COMMENT ON TABLE pacer.decision_stats IS
    'Decision outcomes per campaign, minute and instance, written behind in one batched upsert per flush interval (never per request); counts add up on conflict. Partitioned by UTC day (decision_stats_pYYYYMMDD).';
COMMENT ON COLUMN pacer.decision_stats.minute IS 'Start of the UTC minute the decisions were made in (partition key).';
COMMENT ON COLUMN pacer.decision_stats.allowed_bid_micros IS 'Sum of the bids allowed, in micros.';
COMMENT ON COLUMN pacer.decision_stats.throttled IS 'Denied by the pacing throttle (reason throttled).';
COMMENT ON COLUMN pacer.decision_stats.denied_budget IS 'Denied because the day''s budget or the local lease slice was used up (budget_exhausted).';
COMMENT ON COLUMN pacer.decision_stats.denied_breaker IS 'Denied by an open or probing breaker, or a kill switch (breaker_open).';
COMMENT ON COLUMN pacer.decision_stats.denied_paused IS 'Denied because the campaign was paused or archived.';
COMMENT ON COLUMN pacer.decision_stats.denied_not_running IS 'Denied because today is outside the campaign''s flight.';
COMMENT ON COLUMN pacer.decision_stats.denied_other IS 'Denied for any other reason (load shedding, degraded mode, invalid bid).';

CREATE TABLE pacer.decision_stats_default PARTITION OF pacer.decision_stats DEFAULT;
COMMENT ON TABLE pacer.decision_stats_default IS 'Catches minutes of days without a partition yet; moved out by pacer.ensure_daily_partitions.';

-- Circuit breaker -------------------------------------------------------------------------------

CREATE TABLE pacer.breaker_state (
    campaign_id    uuid PRIMARY KEY REFERENCES pacer.campaigns (id) ON DELETE CASCADE,
    state          text NOT NULL DEFAULT 'closed' CHECK (state IN ('closed', 'open', 'half_open')),
    since          timestamptz NOT NULL DEFAULT now(),
    day            date NOT NULL,
    trips_today    integer NOT NULL DEFAULT 0 CHECK (trips_today >= 0),
    open_until     timestamptz,
    probes_left    integer NOT NULL DEFAULT 0 CHECK (probes_left >= 0),
    throttle       double precision NOT NULL DEFAULT 0 CHECK (throttle >= 0 AND throttle <= 1),
    reason         text,
    instance_id    text,
    version        bigint NOT NULL DEFAULT 1 CHECK (version > 0)
);
COMMENT ON TABLE pacer.breaker_state IS
    'Current circuit-breaker state per campaign, written once per transition (never per decision) and broadcast with NOTIFY so every instance agrees. No row: closed.';
COMMENT ON COLUMN pacer.breaker_state.since IS 'When the breaker entered this state.';
COMMENT ON COLUMN pacer.breaker_state.day IS 'Campaign-local day trips_today counts; a new day starts closed with zero trips.';
COMMENT ON COLUMN pacer.breaker_state.open_until IS 'End of the cool-down while open; then the breaker becomes half_open.';
COMMENT ON COLUMN pacer.breaker_state.probes_left IS 'Probe bids still allowed while half_open.';
COMMENT ON COLUMN pacer.breaker_state.throttle IS 'Recovery throttle in force after re-closing (share of bids denied), 0 when none.';
COMMENT ON COLUMN pacer.breaker_state.instance_id IS 'The instance that made the last transition.';
COMMENT ON COLUMN pacer.breaker_state.version IS 'Bumped by every transition; a transition applies only over the version it saw, so two instances cannot both trip the same breaker.';

CREATE TABLE pacer.breaker_events (
    campaign_id       uuid NOT NULL REFERENCES pacer.campaigns (id) ON DELETE CASCADE,
    id                bigint GENERATED ALWAYS AS IDENTITY,
    at                timestamptz NOT NULL DEFAULT now(),
    day               date NOT NULL,
    from_state        text NOT NULL CHECK (from_state IN ('closed', 'open', 'half_open')),
    to_state          text NOT NULL CHECK (to_state IN ('closed', 'open', 'half_open')),
    reason            text NOT NULL,
    spent_micros      bigint,
    budget_micros     bigint,
    instance_id       text,
    PRIMARY KEY (campaign_id, id)
);
COMMENT ON TABLE pacer.breaker_events IS 'History of breaker transitions (a few per campaign per day) for the dashboard and reporting.';
COMMENT ON COLUMN pacer.breaker_events.day IS 'Campaign-local day of the transition.';
COMMENT ON COLUMN pacer.breaker_events.reason IS 'Why: trip_ratio, cooldown_elapsed, probes_done, budget_exhausted, override, new_day, ...';
COMMENT ON COLUMN pacer.breaker_events.spent_micros IS 'Today''s spend when the transition happened.';
COMMENT ON COLUMN pacer.breaker_events.budget_micros IS 'The day''s budget when the transition happened.';
CREATE INDEX breaker_events_at_idx ON pacer.breaker_events (at);

-- Instances and budget leases -------------------------------------------------------------------

CREATE TABLE pacer.instances (
    id              text PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 200),
    host            text NOT NULL,
    pid             integer NOT NULL,
    address         text,
    version         text,
    started_at      timestamptz NOT NULL DEFAULT now(),
    last_heartbeat  timestamptz NOT NULL DEFAULT now(),
    status          text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'draining', 'stopped')),
    stopped_at      timestamptz
);
COMMENT ON TABLE pacer.instances IS
    'Server instances sharing this database, registered at start and kept alive by heartbeats. An instance whose heartbeat is older than its lease expiry is dead; its leases expire with it.';
COMMENT ON COLUMN pacer.instances.id IS 'PACER_INSTANCE_ID (default host name and pid).';
COMMENT ON COLUMN pacer.instances.address IS 'host:port the instance serves HTTP on, for the admin listing.';
COMMENT ON COLUMN pacer.instances.version IS 'Software version of the instance, to see mixed versions during a rollout.';
COMMENT ON COLUMN pacer.instances.status IS 'running; draining after SIGTERM; stopped after a clean exit.';
CREATE INDEX instances_heartbeat_idx ON pacer.instances (last_heartbeat);

CREATE TABLE pacer.budget_leases (
    campaign_id     uuid NOT NULL REFERENCES pacer.campaigns (id) ON DELETE CASCADE,
    instance_id     text NOT NULL REFERENCES pacer.instances (id) ON DELETE CASCADE,
    day             date NOT NULL,
    granted_micros  bigint NOT NULL DEFAULT 0 CHECK (granted_micros >= 0),
    spent_micros    bigint NOT NULL DEFAULT 0 CHECK (spent_micros >= 0),
    expires_at      timestamptz NOT NULL,
    renewed_at      timestamptz NOT NULL DEFAULT now(),
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (campaign_id, instance_id)
);
COMMENT ON TABLE pacer.budget_leases IS
    'The slice of a campaign''s day budget each instance may spend from memory. Invariant kept by the lease function under a lock on the campaign: spend_daily.spent_micros + sum over live leases of (granted_micros - spent_micros) <= the day''s budget. A lease past expires_at, or of another day, is dead and its unspent part is back in the pool.';
COMMENT ON COLUMN pacer.budget_leases.day IS 'Campaign-local day the slice belongs to; a lease of an earlier day is dead.';
COMMENT ON COLUMN pacer.budget_leases.granted_micros IS 'Total granted to this instance for the day (grows on renewal, shrinks when unused budget is returned).';
COMMENT ON COLUMN pacer.budget_leases.spent_micros IS 'Spend recorded against this slice; the unspent part is granted_micros - spent_micros.';
COMMENT ON COLUMN pacer.budget_leases.expires_at IS 'The slice is void after this unless renewed; the instance stops spending it before then.';
CREATE INDEX budget_leases_expires_idx ON pacer.budget_leases (expires_at);
CREATE INDEX budget_leases_instance_idx ON pacer.budget_leases (instance_id);

-- API tokens ------------------------------------------------------------------------------------

CREATE TABLE pacer.api_tokens (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    role        text NOT NULL CHECK (role IN ('admin', 'read_only', 'bidder')),
    token_hash  bytea NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);
COMMENT ON TABLE pacer.api_tokens IS
    'Bearer tokens and their roles. Only a SHA-256 hash of each token is stored; the token itself is shown once when created. The bootstrap admin token (PACER_ADMIN_TOKEN) is not stored here.';
COMMENT ON COLUMN pacer.api_tokens.role IS 'admin: every endpoint; read_only: GET endpoints; bidder: decide, spend and budget status.';
COMMENT ON COLUMN pacer.api_tokens.token_hash IS 'SHA-256 of the token; lookups hash the presented token and compare.';
COMMENT ON COLUMN pacer.api_tokens.revoked_at IS 'Set by DELETE /v1/tokens/{id}; a revoked token is refused.';
