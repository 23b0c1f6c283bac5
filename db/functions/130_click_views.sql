-- Click pipeline, part 4: the JSON the admin API shows for datasets, batches and their audit
-- trail (SPEC sections 7 and 10), built where the rows are.

-- A timestamp as the API writes it: UTC, ISO 8601 with milliseconds.
CREATE OR REPLACE FUNCTION pacer.api_time(p_at timestamptz)
RETURNS text
LANGUAGE sql
IMMUTABLE
AS $$
    SELECT to_char(p_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');
$$;

-- Micros as decimal cents (up to 4 places), as the API writes money.
CREATE OR REPLACE FUNCTION pacer.api_cents(p_micros bigint)
RETURNS numeric
LANGUAGE sql
IMMUTABLE
AS $$
    SELECT trim_scale(p_micros::numeric / 10000);
$$;

-- A dataset with its progress: rows delivered and batches by state.
CREATE OR REPLACE FUNCTION pacer.dataset_json(p_dataset pacer.datasets)
RETURNS json
LANGUAGE sql
STABLE
AS $$
    SELECT json_build_object(
        'id', p_dataset.id, 'campaign_id', p_dataset.campaign_id, 'partner_id', p_dataset.partner_id,
        'format', p_dataset.format, 'on_error', p_dataset.on_error, 'status', p_dataset.status,
        'rows_accepted', p_dataset.rows_accepted, 'rows_rejected', p_dataset.rows_rejected,
        'rows_delivered', coalesce((SELECT sum(b.row_count) FROM pacer.click_batches b
                                     WHERE b.dataset_id = p_dataset.id AND b.state = 'delivered'), 0),
        'batch_count', p_dataset.batch_count,
        'batches', (SELECT json_build_object(
                        'pending', count(*) FILTER (WHERE b.state = 'pending'),
                        'leased', count(*) FILTER (WHERE b.state = 'leased'),
                        'retrying', count(*) FILTER (WHERE b.state = 'retrying'),
                        'delivered', count(*) FILTER (WHERE b.state = 'delivered'),
                        'dead', count(*) FILTER (WHERE b.state = 'dead'),
                        'cancelled', count(*) FILTER (WHERE b.state = 'cancelled'))
                      FROM pacer.click_batches b WHERE b.dataset_id = p_dataset.id),
        'errors', p_dataset.errors, 'columns', p_dataset.columns,
        'created_at', pacer.api_time(p_dataset.created_at), 'updated_at', pacer.api_time(p_dataset.updated_at),
        'completed_at', pacer.api_time(p_dataset.completed_at));
$$;

-- A batch without its payload.
CREATE OR REPLACE FUNCTION pacer.batch_json(p_batch pacer.click_batches)
RETURNS json
LANGUAGE sql
STABLE
AS $$
    SELECT json_build_object(
        'id', p_batch.id, 'dataset_id', p_batch.dataset_id, 'campaign_id', p_batch.campaign_id,
        'partner_id', p_batch.partner_id, 'seq', p_batch.seq, 'row_count', p_batch.row_count,
        'first_line', p_batch.first_line, 'last_line', p_batch.last_line, 'state', p_batch.state,
        'attempts', p_batch.attempts, 'next_attempt_at', pacer.api_time(p_batch.next_attempt_at),
        'lease_owner', p_batch.lease_owner, 'lease_expires_at', pacer.api_time(p_batch.lease_expires_at),
        'cost_cents', pacer.api_cents(p_batch.cost_micros), 'last_http_status', p_batch.last_http_status,
        'last_error', p_batch.last_error, 'delivered_at', pacer.api_time(p_batch.delivered_at),
        'created_at', pacer.api_time(p_batch.created_at), 'updated_at', pacer.api_time(p_batch.updated_at));
$$;

-- One audit row of a batch.
CREATE OR REPLACE FUNCTION pacer.batch_event_json(p_event pacer.batch_audit)
RETURNS json
LANGUAGE sql
STABLE
AS $$
    SELECT json_build_object(
        'id', p_event.id, 'batch_id', p_event.batch_id, 'at', pacer.api_time(p_event.at), 'worker', p_event.worker,
        'from_state', p_event.from_state, 'to_state', p_event.to_state, 'attempt', p_event.attempt,
        'http_status', p_event.http_status, 'error', p_event.error, 'detail', p_event.detail);
$$;
