-- 0002_click_pipeline: partners, click datasets, the durable batch queue and its audit trail
-- (SPEC section 6).
--
-- Why: clicks are uploaded in large datasets, sliced into batches and delivered to partner
-- endpoints by workers in every instance, with no click ever lost. The queue lives in PostgreSQL:
--
-- * click_rows is the COPY target of an upload. It is UNLOGGED: an upload is answered only after
--   its rows are sliced into (logged) click_batches in the same session, so a crash can only lose
--   an upload that was never acknowledged, and COPY writes no WAL for the staging copy.
-- * click_batches is partitioned by creation day: payloads of delivered batches go with their
--   partition after the retention period (pacer.drop_click_batch_partitions_before refuses a
--   partition that still holds undelivered batches); batch_audit, small and append-only, is kept.
-- * Claims use partial indexes that hold only claimable rows per partner, so one partner's
--   backlog never lengthens another partner's claim, and delivered batches leave the indexes.
-- * A partner's shared rate limit is a token bucket in its own row (partner_rate_buckets), apart
--   from the partner's config row, so high-rate claims never rewrite (or fire triggers on) config.
-- * Daily caps are counted per partner and per campaign in small counter tables.
-- Every table carries its partner and campaign ids, for distribution by one of them later.

-- Partners --------------------------------------------------------------------------------------

CREATE TABLE pacer.partners (
    id                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name                   text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    endpoint_url           text NOT NULL CHECK (endpoint_url ~* '^https?://'),
    format                 text NOT NULL CHECK (format IN ('json', 'ndjson', 'csv')),
    headers                jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(headers) = 'object'),
    rate_limit_per_second  double precision NOT NULL CHECK (rate_limit_per_second > 0),
    daily_cap              bigint CHECK (daily_cap >= 0),
    batch_size             integer NOT NULL CHECK (batch_size BETWEEN 1 AND 100000),
    timeout_ms             integer NOT NULL DEFAULT 5000 CHECK (timeout_ms > 0),
    max_attempts           integer NOT NULL DEFAULT 8 CHECK (max_attempts >= 1),
    timezone               text NOT NULL DEFAULT 'UTC',
    status                 text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'archived')),
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    version                bigint NOT NULL DEFAULT 1 CHECK (version > 0)
);
COMMENT ON TABLE pacer.partners IS 'Downstream HTTP endpoints that receive click batches, with their delivery limits. Low-rate config.';
COMMENT ON COLUMN pacer.partners.endpoint_url IS 'URL each batch is POSTed to.';
COMMENT ON COLUMN pacer.partners.format IS 'Body format of a batch: json (one array), ndjson (one object a line) or csv (header row, then rows).';
COMMENT ON COLUMN pacer.partners.headers IS 'Extra HTTP headers sent with each batch, as a JSON object of strings. May hold secrets: never echoed by the API nor logged.';
COMMENT ON COLUMN pacer.partners.rate_limit_per_second IS 'Clicks per second this partner accepts, shared by all workers of all instances (see partner_rate_buckets).';
COMMENT ON COLUMN pacer.partners.daily_cap IS 'Clicks per partner-local day (timezone); NULL: no cap.';
COMMENT ON COLUMN pacer.partners.batch_size IS 'Clicks per batch when a dataset is sliced.';
COMMENT ON COLUMN pacer.partners.timeout_ms IS 'HTTP timeout of one delivery attempt.';
COMMENT ON COLUMN pacer.partners.max_attempts IS 'Attempts before a batch goes to dead-letter.';
COMMENT ON COLUMN pacer.partners.timezone IS 'IANA time zone the partner''s daily cap resets in.';
COMMENT ON COLUMN pacer.partners.status IS 'active; paused: no batch is claimed for it; archived: deleted through the API.';
COMMENT ON COLUMN pacer.partners.version IS 'Optimistic concurrency, as campaigns.version.';

CREATE TABLE pacer.partner_rate_buckets (
    partner_id   uuid PRIMARY KEY REFERENCES pacer.partners (id) ON DELETE CASCADE,
    tokens       double precision NOT NULL DEFAULT 0,
    refilled_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE pacer.partner_rate_buckets IS
    'Token bucket of each partner''s rate limit, shared by all instances: a claim locks the row, refills tokens by rate_limit_per_second times the time since refilled_at (up to the bucket''s capacity), and takes one token per click. Kept apart from partners so claims do not rewrite config rows.';
COMMENT ON COLUMN pacer.partner_rate_buckets.tokens IS 'Clicks that may be sent now; may go negative when a batch larger than the balance is claimed, which delays the next claim accordingly.';
COMMENT ON COLUMN pacer.partner_rate_buckets.refilled_at IS 'When tokens was last brought up to date.';

-- Delivery counters for daily caps and budgets --------------------------------------------------

CREATE TABLE pacer.partner_delivery_daily (
    partner_id         uuid NOT NULL REFERENCES pacer.partners (id) ON DELETE CASCADE,
    day                date NOT NULL,
    clicks_reserved    bigint NOT NULL DEFAULT 0 CHECK (clicks_reserved >= 0),
    clicks_delivered   bigint NOT NULL DEFAULT 0 CHECK (clicks_delivered >= 0),
    batches_delivered  bigint NOT NULL DEFAULT 0 CHECK (batches_delivered >= 0),
    batches_dead       bigint NOT NULL DEFAULT 0 CHECK (batches_dead >= 0),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (partner_id, day)
);
COMMENT ON TABLE pacer.partner_delivery_daily IS 'Clicks per partner and partner-local day, for the partner''s daily cap and the dashboard.';
COMMENT ON COLUMN pacer.partner_delivery_daily.clicks_reserved IS 'Clicks of batches claimed (in flight) or delivered today; the cap is checked against this, and a batch that fails gives its clicks back.';
COMMENT ON COLUMN pacer.partner_delivery_daily.clicks_delivered IS 'Clicks confirmed by a 2xx.';

CREATE TABLE pacer.campaign_delivery_daily (
    campaign_id       uuid NOT NULL REFERENCES pacer.campaigns (id) ON DELETE CASCADE,
    day               date NOT NULL,
    clicks_reserved   bigint NOT NULL DEFAULT 0 CHECK (clicks_reserved >= 0),
    clicks_delivered  bigint NOT NULL DEFAULT 0 CHECK (clicks_delivered >= 0),
    cost_reserved_micros   bigint NOT NULL DEFAULT 0 CHECK (cost_reserved_micros >= 0),
    cost_delivered_micros  bigint NOT NULL DEFAULT 0 CHECK (cost_delivered_micros >= 0),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (campaign_id, day)
);
COMMENT ON TABLE pacer.campaign_delivery_daily IS 'Clicks and their cost per campaign and campaign-local day, for campaigns.daily_click_cap and the budget at cost_per_click_micros.';
COMMENT ON COLUMN pacer.campaign_delivery_daily.clicks_reserved IS 'Clicks of batches claimed (in flight) or delivered today; given back when a batch fails.';
COMMENT ON COLUMN pacer.campaign_delivery_daily.cost_reserved_micros IS 'clicks_reserved at the campaign''s cost per click, checked with the day''s RTB spend against the day''s budget.';
COMMENT ON COLUMN pacer.campaign_delivery_daily.cost_delivered_micros IS 'Cost of the clicks confirmed delivered.';

-- Datasets and staging --------------------------------------------------------------------------

CREATE TABLE pacer.datasets (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    campaign_id     uuid NOT NULL REFERENCES pacer.campaigns (id),
    partner_id      uuid NOT NULL REFERENCES pacer.partners (id),
    format          text NOT NULL CHECK (format IN ('ndjson', 'csv')),
    on_error        text NOT NULL CHECK (on_error IN ('reject', 'skip')),
    status          text NOT NULL DEFAULT 'ingesting'
                    CHECK (status IN ('ingesting', 'queued', 'paused', 'completed', 'cancelled', 'failed')),
    rows_accepted   bigint NOT NULL DEFAULT 0 CHECK (rows_accepted >= 0),
    rows_rejected   bigint NOT NULL DEFAULT 0 CHECK (rows_rejected >= 0),
    batch_count     integer NOT NULL DEFAULT 0 CHECK (batch_count >= 0),
    errors          jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(errors) = 'array'),
    columns         text[],
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    completed_at    timestamptz
);
COMMENT ON TABLE pacer.datasets IS 'One uploaded click file for a campaign and partner, and its progress.';
COMMENT ON COLUMN pacer.datasets.format IS 'Upload format: ndjson or csv.';
COMMENT ON COLUMN pacer.datasets.on_error IS 'reject: a malformed row rejects the whole upload and nothing is kept; skip: malformed rows are reported and left out.';
COMMENT ON COLUMN pacer.datasets.status IS 'ingesting while the upload streams in; queued once sliced into batches; paused by an operator; completed when every batch is delivered or dead; cancelled by an operator; failed when the upload was rejected.';
COMMENT ON COLUMN pacer.datasets.errors IS 'The first malformed rows: [{"line": N, "message": "..."}], capped in length.';
COMMENT ON COLUMN pacer.datasets.columns IS 'CSV header of the upload, in order, so CSV deliveries keep the column order; NULL for NDJSON.';
CREATE INDEX datasets_campaign_idx ON pacer.datasets (campaign_id, created_at);
CREATE INDEX datasets_partner_idx ON pacer.datasets (partner_id, created_at);

CREATE UNLOGGED TABLE pacer.click_rows (
    dataset_id   uuid NOT NULL DEFAULT nullif(current_setting('pacer.ingest_dataset_id', true), '')::uuid,
    campaign_id  uuid NOT NULL DEFAULT nullif(current_setting('pacer.ingest_campaign_id', true), '')::uuid,
    partner_id   uuid NOT NULL DEFAULT nullif(current_setting('pacer.ingest_partner_id', true), '')::uuid,
    line_no      bigint NOT NULL CHECK (line_no >= 1),
    click_id     text,
    row          json NOT NULL,
    PRIMARY KEY (dataset_id, line_no)
);
COMMENT ON TABLE pacer.click_rows IS
    'Staging for an upload in progress: the COPY target, emptied when the dataset is sliced into click_batches in the same session. UNLOGGED: empty after a crash, which only ever affects uploads not yet acknowledged. The ids default from the session settings pacer.ingest_dataset_id, pacer.ingest_campaign_id and pacer.ingest_partner_id (SET LOCAL before COPY), so the COPY stream need not repeat them on every line.';
COMMENT ON COLUMN pacer.click_rows.line_no IS 'Line number of the row in the uploaded file (1 = first line, the CSV header included), for error reports and ordering.';
COMMENT ON COLUMN pacer.click_rows.click_id IS 'The row''s optional click_id field.';
COMMENT ON COLUMN pacer.click_rows.row IS 'The click as given, as a JSON object (type json keeps key order; CSV rows keyed by the header).';

-- The batch queue -------------------------------------------------------------------------------

CREATE TABLE pacer.click_batches (
    id                uuid NOT NULL DEFAULT gen_random_uuid(),
    created_at        timestamptz NOT NULL DEFAULT now(),
    dataset_id        uuid NOT NULL,
    campaign_id       uuid NOT NULL,
    partner_id        uuid NOT NULL,
    seq               integer NOT NULL CHECK (seq >= 1),
    row_count         integer NOT NULL CHECK (row_count >= 1),
    first_line        bigint NOT NULL,
    last_line         bigint NOT NULL,
    state             text NOT NULL DEFAULT 'pending'
                      CHECK (state IN ('pending', 'leased', 'delivered', 'retrying', 'dead', 'cancelled')),
    attempts          integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at   timestamptz NOT NULL DEFAULT now(),
    lease_owner       text,
    lease_expires_at  timestamptz,
    cost_micros       bigint NOT NULL DEFAULT 0 CHECK (cost_micros >= 0),
    last_http_status  integer,
    last_error        text,
    delivered_at      timestamptz,
    updated_at        timestamptz NOT NULL DEFAULT now(),
    payload           json NOT NULL,
    PRIMARY KEY (id, created_at),
    CONSTRAINT click_batches_lease_check CHECK (state <> 'leased' OR (lease_owner IS NOT NULL AND lease_expires_at IS NOT NULL)),
    CONSTRAINT click_batches_lines_check CHECK (last_line >= first_line)
) PARTITION BY RANGE (created_at);
COMMENT ON TABLE pacer.click_batches IS
    'The durable delivery queue: one row per batch of clicks, partitioned by UTC creation day (click_batches_pYYYYMMDD). Claimed with FOR UPDATE SKIP LOCKED by a function that applies rate limits, caps and budgets. The batch id is the Idempotency-Key sent to the partner.';
COMMENT ON COLUMN pacer.click_batches.created_at IS 'When the batch was sliced (partition key). Keep it with the id: (id, created_at) finds the partition.';
COMMENT ON COLUMN pacer.click_batches.seq IS 'Ordinal of the batch within its dataset, from 1.';
COMMENT ON COLUMN pacer.click_batches.first_line IS 'Line number in the uploaded file of the batch''s first click.';
COMMENT ON COLUMN pacer.click_batches.last_line IS 'Line number in the uploaded file of the batch''s last click.';
COMMENT ON COLUMN pacer.click_batches.state IS 'pending (new), leased (claimed by a worker), delivered (2xx), retrying (waiting for next_attempt_at after 429, 5xx or a timeout), dead (other 4xx or out of attempts), cancelled (by an operator).';
COMMENT ON COLUMN pacer.click_batches.attempts IS 'Delivery attempts started so far.';
COMMENT ON COLUMN pacer.click_batches.next_attempt_at IS 'Earliest time the batch may be claimed (backoff with jitter, or Retry-After).';
COMMENT ON COLUMN pacer.click_batches.lease_owner IS 'Worker holding the claim: instance id and worker number.';
COMMENT ON COLUMN pacer.click_batches.lease_expires_at IS 'A leased batch whose lease expired (its worker died) is claimable again.';
COMMENT ON COLUMN pacer.click_batches.cost_micros IS 'row_count at the campaign''s cost per click, reserved against the budget while leased.';
COMMENT ON COLUMN pacer.click_batches.payload IS 'The clicks as given: a JSON array of objects, formatted for the partner at delivery.';

CREATE TABLE pacer.click_batches_default PARTITION OF pacer.click_batches DEFAULT;
COMMENT ON TABLE pacer.click_batches_default IS 'Catches batches of days without a partition yet; moved out by pacer.ensure_daily_partitions.';

-- Claiming: claimable batches of one partner, oldest due first. Only pending and retrying rows
-- are in the index, so it stays as small as the backlog.
CREATE INDEX click_batches_due_idx ON pacer.click_batches (partner_id, next_attempt_at)
    WHERE state IN ('pending', 'retrying');
-- Expired leases: a small index over the batches in flight.
CREATE INDEX click_batches_lease_idx ON pacer.click_batches (lease_expires_at)
    WHERE state = 'leased';
-- Dataset progress, cancel and pause.
CREATE INDEX click_batches_dataset_idx ON pacer.click_batches (dataset_id, state);
-- GET /v1/batches?state=... for the states operators look at.
CREATE INDEX click_batches_state_idx ON pacer.click_batches (state, updated_at)
    WHERE state IN ('leased', 'retrying', 'dead', 'cancelled');

CREATE TABLE pacer.batch_audit (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    batch_id          uuid NOT NULL,
    batch_created_at  timestamptz NOT NULL,
    dataset_id        uuid NOT NULL,
    campaign_id       uuid NOT NULL,
    partner_id        uuid NOT NULL,
    at                timestamptz NOT NULL DEFAULT now(),
    worker            text,
    from_state        text CHECK (from_state IN ('pending', 'leased', 'delivered', 'retrying', 'dead', 'cancelled')),
    to_state          text NOT NULL CHECK (to_state IN ('pending', 'leased', 'delivered', 'retrying', 'dead', 'cancelled')),
    attempt           integer,
    http_status       integer,
    error             text,
    detail            jsonb
);
COMMENT ON TABLE pacer.batch_audit IS
    'Every state change of every batch, append-only and kept after the batch''s partition is dropped. No foreign key to click_batches for that reason.';
COMMENT ON COLUMN pacer.batch_audit.batch_created_at IS 'click_batches.created_at of the batch, to find its partition.';
COMMENT ON COLUMN pacer.batch_audit.worker IS 'Who made the change: a worker (instance id and number), an operator action, or the lease reaper.';
COMMENT ON COLUMN pacer.batch_audit.from_state IS 'State before the change; NULL when the batch was created.';
COMMENT ON COLUMN pacer.batch_audit.attempt IS 'Attempt number the change belongs to.';
COMMENT ON COLUMN pacer.batch_audit.http_status IS 'Partner''s HTTP status of the attempt, if one was received.';
COMMENT ON COLUMN pacer.batch_audit.error IS 'Why the attempt failed (timeout, connection refused, status text), if it did.';
COMMENT ON COLUMN pacer.batch_audit.detail IS 'Anything else worth keeping: Retry-After, backoff chosen, operator note.';
CREATE INDEX batch_audit_batch_idx ON pacer.batch_audit (batch_id, id);
CREATE INDEX batch_audit_partner_at_idx ON pacer.batch_audit (partner_id, at);
CREATE INDEX batch_audit_dataset_idx ON pacer.batch_audit (dataset_id, id);
