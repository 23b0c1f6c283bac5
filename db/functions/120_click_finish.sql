-- Click pipeline, part 3: the outcome of a delivery attempt, and operator actions (SPEC section 6).

-- Marks a dataset completed once none of its batches is pending, leased or retrying.
CREATE OR REPLACE FUNCTION pacer.complete_dataset_if_done(p_dataset_id uuid, p_now timestamptz)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pacer.click_batches b
                    WHERE b.dataset_id = p_dataset_id AND b.state IN ('pending', 'leased', 'retrying')) THEN
        UPDATE pacer.datasets d SET status = 'completed', completed_at = p_now, updated_at = p_now
         WHERE d.id = p_dataset_id AND d.status IN ('queued', 'paused');
    END IF;
END;
$$;

-- Records the outcome of worker p_worker's attempt on a batch it leased: p_outcome 'delivered'
-- (2xx), 'retry' (429, 5xx, timeout: due again at p_retry_at, or dead when out of attempts),
-- 'dead' (other 4xx) or 'release' (the worker gives the batch back unsent, on shutdown; the
-- attempt is not counted). Counters and reservations follow, and an audit row is written with the
-- HTTP status, error and detail. Returns the batch's new state, or NULL when the batch is no longer
-- leased by p_worker (its lease expired and it was returned to the queue): that result is dropped.
CREATE OR REPLACE FUNCTION pacer.finish_click_batch(
    p_batch_id uuid, p_created_at timestamptz, p_worker text, p_now timestamptz, p_outcome text,
    p_http_status integer DEFAULT NULL, p_error text DEFAULT NULL, p_retry_at timestamptz DEFAULT NULL,
    p_detail jsonb DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql
AS $$
DECLARE
    v_batch   pacer.click_batches;
    v_max     integer;
    v_state   text;
    v_error   text := p_error;
    v_attempt integer;
BEGIN
    IF p_outcome IS NULL OR p_outcome NOT IN ('delivered', 'retry', 'dead', 'release') THEN
        RAISE EXCEPTION 'finish_click_batch: outcome must be delivered, retry, dead or release, got %', p_outcome
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT * INTO v_batch FROM pacer.click_batches b
     WHERE b.id = p_batch_id AND b.created_at = p_created_at FOR UPDATE;
    IF NOT FOUND OR v_batch.state <> 'leased' OR v_batch.lease_owner IS DISTINCT FROM p_worker THEN
        RETURN NULL;
    END IF;
    SELECT p.max_attempts INTO v_max FROM pacer.partners p WHERE p.id = v_batch.partner_id;
    v_attempt := v_batch.attempts;

    IF p_outcome = 'delivered' THEN
        v_state := 'delivered';
        -- Lock order of the claims: campaign counters, then the partner's.
        INSERT INTO pacer.campaign_delivery_daily AS d (campaign_id, day, clicks_delivered, cost_delivered_micros, updated_at)
        VALUES (v_batch.campaign_id, v_batch.campaign_day, v_batch.row_count, v_batch.cost_micros, p_now)
        ON CONFLICT (campaign_id, day) DO UPDATE
           SET clicks_delivered = d.clicks_delivered + excluded.clicks_delivered,
               cost_delivered_micros = d.cost_delivered_micros + excluded.cost_delivered_micros, updated_at = p_now;
        INSERT INTO pacer.partner_delivery_daily AS d (partner_id, day, clicks_delivered, batches_delivered, updated_at)
        VALUES (v_batch.partner_id, v_batch.partner_day, v_batch.row_count, 1, p_now)
        ON CONFLICT (partner_id, day) DO UPDATE
           SET clicks_delivered = d.clicks_delivered + excluded.clicks_delivered,
               batches_delivered = d.batches_delivered + 1, updated_at = p_now;
        UPDATE pacer.click_batches b
           SET state = 'delivered', delivered_at = p_now, last_http_status = p_http_status, last_error = NULL,
               lease_owner = NULL, lease_expires_at = NULL, updated_at = p_now
         WHERE b.id = v_batch.id AND b.created_at = v_batch.created_at;
    ELSE
        -- A partner that answered 429 with Retry-After gets no batch before then, from any
        -- worker. The bucket is locked first, as claims do.
        IF p_http_status = 429 AND p_retry_at IS NOT NULL AND p_retry_at > p_now THEN
            UPDATE pacer.partner_rate_buckets rb
               SET tokens = least(rb.tokens, -p.rate_limit_per_second * extract(epoch FROM p_retry_at - p_now)),
                   refilled_at = p_now
              FROM pacer.partners p
             WHERE rb.partner_id = v_batch.partner_id AND p.id = rb.partner_id;
        END IF;
        PERFORM pacer.unreserve_click_batch(v_batch, p_now);
        IF p_outcome = 'release' THEN
            v_attempt := greatest(0, v_batch.attempts - 1);
            v_state := CASE WHEN v_attempt = 0 THEN 'pending' ELSE 'retrying' END;
        ELSIF p_outcome = 'retry' AND v_batch.attempts < coalesce(v_max, 1) THEN
            v_state := 'retrying';
        ELSE
            v_state := 'dead';
            IF p_outcome = 'retry' THEN
                v_error := 'out of attempts (' || v_batch.attempts || '); last: ' || coalesce(p_error, 'no error text');
            END IF;
        END IF;
        UPDATE pacer.click_batches b
           SET state = v_state, attempts = v_attempt,
               next_attempt_at = CASE WHEN v_state = 'retrying' AND p_outcome = 'retry' THEN coalesce(p_retry_at, p_now) ELSE p_now END,
               last_http_status = coalesce(p_http_status, b.last_http_status), last_error = v_error,
               lease_owner = NULL, lease_expires_at = NULL, partner_day = NULL, campaign_day = NULL, updated_at = p_now
         WHERE b.id = v_batch.id AND b.created_at = v_batch.created_at;
        IF v_state = 'dead' THEN
            INSERT INTO pacer.partner_delivery_daily AS d (partner_id, day, batches_dead, updated_at)
            VALUES (v_batch.partner_id, v_batch.partner_day, 1, p_now)
            ON CONFLICT (partner_id, day) DO UPDATE SET batches_dead = d.batches_dead + 1, updated_at = p_now;
        END IF;
    END IF;

    INSERT INTO pacer.batch_audit (batch_id, batch_created_at, dataset_id, campaign_id, partner_id, at, worker,
                                   from_state, to_state, attempt, http_status, error, detail)
    VALUES (v_batch.id, v_batch.created_at, v_batch.dataset_id, v_batch.campaign_id, v_batch.partner_id, p_now,
            p_worker, 'leased', v_state, v_batch.attempts, p_http_status, v_error,
            CASE WHEN p_retry_at IS NOT NULL AND v_state = 'retrying'
                 THEN coalesce(p_detail, '{}'::jsonb) || jsonb_build_object('next_attempt_at', p_retry_at)
                 ELSE p_detail END);
    IF v_state IN ('delivered', 'dead') THEN
        PERFORM pacer.complete_dataset_if_done(v_batch.dataset_id, p_now);
    END IF;
    RETURN v_state;
END;
$$;

-- Puts dead batches back in the queue as pending with fresh attempts: every dead batch of
-- dataset p_dataset_id, or the one batch p_batch_id. The dataset is queued again if it had
-- completed, each change is audited by p_actor, and idle workers are woken. Returns how many.
CREATE OR REPLACE FUNCTION pacer.retry_dead_batches(p_dataset_id uuid, p_batch_id uuid, p_actor text, p_now timestamptz)
RETURNS integer
LANGUAGE plpgsql
AS $$
DECLARE
    v_batch  pacer.click_batches;
    v_count  integer := 0;
    v_partners uuid[] := '{}';
    v_datasets uuid[] := '{}';
BEGIN
    IF (p_dataset_id IS NULL) = (p_batch_id IS NULL) OR p_now IS NULL THEN
        RAISE EXCEPTION 'retry_dead_batches: give exactly one of a dataset and a batch' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    FOR v_batch IN
        SELECT b.* FROM pacer.click_batches b
         WHERE b.state = 'dead'
           AND ((p_dataset_id IS NOT NULL AND b.dataset_id = p_dataset_id) OR (p_batch_id IS NOT NULL AND b.id = p_batch_id))
         FOR UPDATE
    LOOP
        UPDATE pacer.click_batches b
           SET state = 'pending', attempts = 0, next_attempt_at = p_now, last_error = NULL, updated_at = p_now
         WHERE b.id = v_batch.id AND b.created_at = v_batch.created_at;
        INSERT INTO pacer.batch_audit (batch_id, batch_created_at, dataset_id, campaign_id, partner_id, at, worker,
                                       from_state, to_state, attempt, detail)
        VALUES (v_batch.id, v_batch.created_at, v_batch.dataset_id, v_batch.campaign_id, v_batch.partner_id, p_now,
                p_actor, 'dead', 'pending', 0, jsonb_build_object('action', 'retry'));
        v_count := v_count + 1;
        v_partners := array_append(v_partners, v_batch.partner_id);
        v_datasets := array_append(v_datasets, v_batch.dataset_id);
    END LOOP;
    UPDATE pacer.datasets d SET status = 'queued', completed_at = NULL, updated_at = p_now
     WHERE d.id = ANY (v_datasets) AND d.status = 'completed';
    IF v_count > 0 THEN
        PERFORM pg_notify('pacer_clicks', v_partners[1]::text);
    END IF;
    RETURN v_count;
END;
$$;

-- Cancels a dataset: its pending and retrying batches become cancelled (audited by p_actor);
-- batches in flight finish their attempt. Returns how many batches it cancelled, or NULL when the
-- dataset does not exist.
CREATE OR REPLACE FUNCTION pacer.cancel_dataset(p_dataset_id uuid, p_actor text, p_now timestamptz)
RETURNS integer
LANGUAGE plpgsql
AS $$
DECLARE
    v_count integer;
BEGIN
    UPDATE pacer.datasets d SET status = 'cancelled', updated_at = p_now, completed_at = coalesce(d.completed_at, p_now)
     WHERE d.id = p_dataset_id;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    WITH cancelled AS (
        UPDATE pacer.click_batches b SET state = 'cancelled', updated_at = p_now
         WHERE b.dataset_id = p_dataset_id AND b.state IN ('pending', 'retrying')
        RETURNING b.id, b.created_at, b.dataset_id, b.campaign_id, b.partner_id, b.attempts
    )
    INSERT INTO pacer.batch_audit (batch_id, batch_created_at, dataset_id, campaign_id, partner_id, at, worker,
                                   from_state, to_state, attempt, detail)
    SELECT c.id, c.created_at, c.dataset_id, c.campaign_id, c.partner_id, p_now, p_actor,
           CASE WHEN c.attempts = 0 THEN 'pending' ELSE 'retrying' END, 'cancelled', c.attempts,
           jsonb_build_object('action', 'cancel')
      FROM cancelled c;
    GET DIAGNOSTICS v_count = ROW_COUNT;
    RETURN v_count;
END;
$$;
