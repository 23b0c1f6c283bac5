-- Click pipeline, part 2: claiming due batches under the pacing rules (SPEC section 6).

-- Gives back what a leased batch reserved on its partner's and campaign's days (clicks and cost),
-- when the batch fails, is released or its lease expires.
CREATE OR REPLACE FUNCTION pacer.unreserve_click_batch(p_batch pacer.click_batches, p_now timestamptz)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    -- Lock order everywhere: rate bucket, campaign counters, partner counters.
    IF p_batch.campaign_day IS NOT NULL THEN
        UPDATE pacer.campaign_delivery_daily d
           SET clicks_reserved = greatest(0, d.clicks_reserved - p_batch.row_count),
               cost_reserved_micros = greatest(0, d.cost_reserved_micros - p_batch.cost_micros), updated_at = p_now
         WHERE d.campaign_id = p_batch.campaign_id AND d.day = p_batch.campaign_day;
    END IF;
    IF p_batch.partner_day IS NOT NULL THEN
        UPDATE pacer.partner_delivery_daily d
           SET clicks_reserved = greatest(0, d.clicks_reserved - p_batch.row_count), updated_at = p_now
         WHERE d.partner_id = p_batch.partner_id AND d.day = p_batch.partner_day;
    END IF;
END;
$$;

-- Returns to the queue up to p_limit leased batches whose lease expired before p_now (their
-- worker died or hung): 'retrying' and due at once, or 'dead' when out of attempts; reservations
-- are given back and each change is audited by 'lease-reaper'. Returns how many it returned.
-- Each batch is handled in the lock order of the claims (campaign counters, then partner's).
CREATE OR REPLACE FUNCTION pacer.expire_click_leases(p_now timestamptz, p_limit integer DEFAULT 100)
RETURNS integer
LANGUAGE plpgsql
AS $$
DECLARE
    v_batch  pacer.click_batches;
    v_max    integer;
    v_state  text;
    v_count  integer := 0;
BEGIN
    IF p_now IS NULL THEN
        RAISE EXCEPTION 'expire_click_leases: p_now must not be null' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    FOR v_batch IN
        SELECT b.* FROM pacer.click_batches b
         WHERE b.state = 'leased' AND b.lease_expires_at <= p_now
         ORDER BY b.lease_expires_at
         LIMIT p_limit
         FOR UPDATE SKIP LOCKED
    LOOP
        SELECT p.max_attempts INTO v_max FROM pacer.partners p WHERE p.id = v_batch.partner_id;
        v_state := CASE WHEN v_batch.attempts >= coalesce(v_max, 1) THEN 'dead' ELSE 'retrying' END;
        PERFORM pacer.unreserve_click_batch(v_batch, p_now);
        UPDATE pacer.click_batches b
           SET state = v_state, next_attempt_at = p_now, lease_owner = NULL, lease_expires_at = NULL,
               partner_day = NULL, campaign_day = NULL, last_error = 'lease expired', updated_at = p_now
         WHERE b.id = v_batch.id AND b.created_at = v_batch.created_at;
        IF v_state = 'dead' THEN
            INSERT INTO pacer.partner_delivery_daily AS d (partner_id, day, batches_dead, updated_at)
            VALUES (v_batch.partner_id, coalesce(v_batch.partner_day, (p_now AT TIME ZONE 'UTC')::date), 1, p_now)
            ON CONFLICT (partner_id, day) DO UPDATE SET batches_dead = d.batches_dead + 1, updated_at = p_now;
        END IF;
        INSERT INTO pacer.batch_audit (batch_id, batch_created_at, dataset_id, campaign_id, partner_id, at, worker,
                                       from_state, to_state, attempt, error, detail)
        VALUES (v_batch.id, v_batch.created_at, v_batch.dataset_id, v_batch.campaign_id, v_batch.partner_id, p_now,
                'lease-reaper', 'leased', v_state, v_batch.attempts, 'lease expired',
                jsonb_build_object('lease_owner', v_batch.lease_owner, 'lease_expires_at', v_batch.lease_expires_at));
        v_count := v_count + 1;
    END LOOP;
    RETURN v_count;
END;
$$;

-- Claims at most one due batch for worker p_worker and leases it for p_lease_seconds (at least
-- the partner's timeout plus one second). Expired leases are returned to the queue apart, by
-- pacer.expire_click_leases in a transaction of its own (the workers call it every second), so
-- that a claim takes its row locks in the one order used everywhere: rate bucket, campaign
-- counters, partner counters. Partners are
-- visited least recently served first, skipping paused ones, those in p_exclude_partners (busy
-- at the caller) and those whose token bucket another claim holds (SKIP LOCKED), so one
-- partner's backlog never delays another. A batch is claimed only when, in this transaction:
-- the partner's token bucket (rate_limit_per_second, shared by every instance) has tokens for it;
-- the partner's daily cap (partner-local day) and the campaign's daily click cap
-- (campaign-local day) leave room for its clicks; its cost at the campaign's cost per click, with
-- the day's RTB spend and the clicks' cost already reserved, stays within the day's budget; and
-- its dataset is queued and its campaign active. The claim reserves the clicks and the cost on
-- those days and writes an audit row. Returns the batch with what delivery needs.
CREATE OR REPLACE FUNCTION pacer.claim_click_batch(
    p_worker text, p_now timestamptz, p_lease_seconds double precision, p_exclude_partners uuid[] DEFAULT '{}')
RETURNS TABLE (batch_id uuid, batch_created_at timestamptz, dataset_id uuid, campaign_id uuid, partner_id uuid,
               seq integer, row_count integer, attempt integer, max_attempts integer, endpoint_url text,
               format text, headers jsonb, timeout_ms integer, columns text[], lease_expires_at timestamptz,
               payload json)
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
DECLARE
    v_partner    pacer.partners;
    v_bucket     pacer.partner_rate_buckets;
    v_batch      pacer.click_batches;
    v_campaign   pacer.campaigns;
    v_capacity   double precision;
    v_tokens     double precision;
    v_pday       date;
    v_cday       date;
    v_preserved  bigint;
    v_creserved  bigint;
    v_ccost      bigint;
    v_spent      bigint;
    v_before     bigint;
    v_expires    timestamptz;
BEGIN
    IF p_worker IS NULL OR p_now IS NULL OR p_lease_seconds IS NULL OR p_lease_seconds <= 0 THEN
        RAISE EXCEPTION 'claim_click_batch: worker and now must be given and the lease must be positive'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    FOR v_partner IN
        SELECT p.* FROM pacer.partners p
          JOIN pacer.partner_rate_buckets rb ON rb.partner_id = p.id
         WHERE p.status = 'active' AND NOT (p.id = ANY (coalesce(p_exclude_partners, '{}')))
           AND EXISTS (SELECT 1 FROM pacer.click_batches b
                        WHERE b.partner_id = p.id AND b.state IN ('pending', 'retrying') AND b.next_attempt_at <= p_now)
         ORDER BY rb.refilled_at, p.id
    LOOP
        SELECT * INTO v_bucket FROM pacer.partner_rate_buckets rb WHERE rb.partner_id = v_partner.id FOR UPDATE SKIP LOCKED;
        CONTINUE WHEN NOT FOUND;
        v_capacity := greatest(v_partner.rate_limit_per_second, 1);
        v_tokens := least(v_capacity, v_bucket.tokens + v_partner.rate_limit_per_second
                                      * greatest(0, extract(epoch FROM p_now - v_bucket.refilled_at)));
        UPDATE pacer.partner_rate_buckets rb SET tokens = v_tokens, refilled_at = p_now WHERE rb.partner_id = v_partner.id;
        CONTINUE WHEN v_tokens <= 0;

        v_pday := (p_now AT TIME ZONE v_partner.timezone)::date;
        SELECT coalesce(max(d.clicks_reserved), 0) INTO v_preserved
          FROM pacer.partner_delivery_daily d WHERE d.partner_id = v_partner.id AND d.day = v_pday;

        FOR v_batch IN
            SELECT b.* FROM pacer.click_batches b
              JOIN pacer.datasets ds ON ds.id = b.dataset_id
              JOIN pacer.campaigns c ON c.id = b.campaign_id
             WHERE b.partner_id = v_partner.id AND b.state IN ('pending', 'retrying') AND b.next_attempt_at <= p_now
               AND ds.status = 'queued' AND c.status = 'active'
             ORDER BY b.next_attempt_at, b.seq
             LIMIT 16
             FOR UPDATE OF b SKIP LOCKED
        LOOP
            EXIT WHEN v_tokens < least(v_batch.row_count, v_capacity);
            CONTINUE WHEN v_partner.daily_cap IS NOT NULL AND v_preserved + v_batch.row_count > v_partner.daily_cap;

            SELECT * INTO v_campaign FROM pacer.campaigns c WHERE c.id = v_batch.campaign_id;
            v_cday := (p_now AT TIME ZONE v_campaign.timezone)::date;
            -- The campaign's counters row is locked: claims for other partners check it one at a time.
            INSERT INTO pacer.campaign_delivery_daily (campaign_id, day, updated_at)
            VALUES (v_batch.campaign_id, v_cday, p_now) ON CONFLICT DO NOTHING;
            SELECT d.clicks_reserved, d.cost_reserved_micros INTO v_creserved, v_ccost
              FROM pacer.campaign_delivery_daily d
             WHERE d.campaign_id = v_batch.campaign_id AND d.day = v_cday FOR UPDATE;
            CONTINUE WHEN v_campaign.daily_click_cap IS NOT NULL
                      AND v_creserved + v_batch.row_count > v_campaign.daily_click_cap;
            IF v_batch.cost_micros > 0 THEN
                SELECT coalesce(sum(CASE WHEN s.day = v_cday THEN s.spent_micros END), 0),
                       coalesce(sum(CASE WHEN s.day < v_cday THEN s.spent_micros END), 0)
                  INTO v_spent, v_before
                  FROM pacer.spend_daily s WHERE s.campaign_id = v_batch.campaign_id;
                CONTINUE WHEN v_spent + v_ccost + v_batch.cost_micros > pacer.day_budget(v_campaign, v_cday, v_before);
            END IF;

            v_expires := p_now + make_interval(secs => greatest(p_lease_seconds, v_partner.timeout_ms / 1000.0 + 1));
            UPDATE pacer.click_batches b
               SET state = 'leased', attempts = b.attempts + 1, lease_owner = p_worker, lease_expires_at = v_expires,
                   partner_day = v_pday, campaign_day = v_cday, updated_at = p_now
             WHERE b.id = v_batch.id AND b.created_at = v_batch.created_at;
            INSERT INTO pacer.partner_delivery_daily AS d (partner_id, day, clicks_reserved, updated_at)
            VALUES (v_partner.id, v_pday, v_batch.row_count, p_now)
            ON CONFLICT (partner_id, day) DO UPDATE
               SET clicks_reserved = d.clicks_reserved + excluded.clicks_reserved, updated_at = p_now;
            UPDATE pacer.campaign_delivery_daily d
               SET clicks_reserved = d.clicks_reserved + v_batch.row_count,
                   cost_reserved_micros = d.cost_reserved_micros + v_batch.cost_micros, updated_at = p_now
             WHERE d.campaign_id = v_batch.campaign_id AND d.day = v_cday;
            UPDATE pacer.partner_rate_buckets rb SET tokens = v_tokens - v_batch.row_count WHERE rb.partner_id = v_partner.id;
            INSERT INTO pacer.batch_audit (batch_id, batch_created_at, dataset_id, campaign_id, partner_id, at, worker,
                                           from_state, to_state, attempt, detail)
            VALUES (v_batch.id, v_batch.created_at, v_batch.dataset_id, v_batch.campaign_id, v_batch.partner_id, p_now,
                    p_worker, v_batch.state, 'leased', v_batch.attempts + 1,
                    jsonb_build_object('lease_expires_at', v_expires));

            RETURN QUERY
                SELECT v_batch.id, v_batch.created_at, v_batch.dataset_id, v_batch.campaign_id, v_partner.id,
                       v_batch.seq, v_batch.row_count, v_batch.attempts + 1, v_partner.max_attempts,
                       v_partner.endpoint_url, v_partner.format, v_partner.headers, v_partner.timeout_ms,
                       ds.columns, v_expires, v_batch.payload
                  FROM pacer.datasets ds WHERE ds.id = v_batch.dataset_id;
            RETURN;
        END LOOP;
    END LOOP;
    RETURN;
END;
$$;
