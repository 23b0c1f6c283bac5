-- Click pipeline, part 1: slicing an uploaded dataset into the batch queue (SPEC section 6).

-- Slices the staged rows of a dataset (pacer.click_rows, filled by COPY) into click_batches of
-- the partner's batch size, in line order, with one 'pending' audit row per batch; empties the
-- staging rows, marks the dataset queued (completed if it had no rows) and wakes idle workers
-- with one NOTIFY on pacer_clicks (payload: the partner id). Runs in the upload's transaction,
-- right after the COPY, so an acknowledged upload is always fully queued. Returns the number of
-- batches.
CREATE OR REPLACE FUNCTION pacer.slice_dataset(p_dataset_id uuid, p_now timestamptz)
RETURNS integer
LANGUAGE plpgsql
AS $$
DECLARE
    v_dataset  pacer.datasets;
    v_size     integer;
    v_cpc      bigint;
    v_batches  integer;
    v_rows     bigint;
BEGIN
    IF p_dataset_id IS NULL OR p_now IS NULL THEN
        RAISE EXCEPTION 'slice_dataset: arguments must not be null' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    SELECT * INTO v_dataset FROM pacer.datasets d WHERE d.id = p_dataset_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'slice_dataset: no dataset %', p_dataset_id USING ERRCODE = 'no_data_found';
    END IF;
    IF v_dataset.status <> 'ingesting' THEN
        RAISE EXCEPTION 'slice_dataset: dataset % is %, not ingesting', p_dataset_id, v_dataset.status
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    SELECT p.batch_size INTO v_size FROM pacer.partners p WHERE p.id = v_dataset.partner_id;
    SELECT coalesce(c.cost_per_click_micros, 0) INTO v_cpc FROM pacer.campaigns c WHERE c.id = v_dataset.campaign_id;

    WITH numbered AS (
        SELECT r.line_no, r.row AS click, (row_number() OVER (ORDER BY r.line_no) - 1) / v_size + 1 AS seq
          FROM pacer.click_rows r
         WHERE r.dataset_id = p_dataset_id
    ), batches AS (
        INSERT INTO pacer.click_batches (created_at, dataset_id, campaign_id, partner_id, seq, row_count, first_line,
                                         last_line, next_attempt_at, cost_micros, updated_at, payload)
        SELECT p_now, p_dataset_id, v_dataset.campaign_id, v_dataset.partner_id, n.seq, count(*), min(n.line_no),
               max(n.line_no), p_now, count(*) * v_cpc, p_now, json_agg(n.click ORDER BY n.line_no)
          FROM numbered n
         GROUP BY n.seq
        RETURNING id, created_at, seq
    )
    INSERT INTO pacer.batch_audit (batch_id, batch_created_at, dataset_id, campaign_id, partner_id, at, worker,
                                   from_state, to_state, attempt, detail)
    SELECT b.id, b.created_at, p_dataset_id, v_dataset.campaign_id, v_dataset.partner_id, p_now, 'ingest',
           NULL, 'pending', 0, jsonb_build_object('seq', b.seq)
      FROM batches b;
    GET DIAGNOSTICS v_batches = ROW_COUNT;

    DELETE FROM pacer.click_rows r WHERE r.dataset_id = p_dataset_id;
    GET DIAGNOSTICS v_rows = ROW_COUNT;

    UPDATE pacer.datasets d
       SET status = CASE WHEN v_batches = 0 THEN 'completed' ELSE 'queued' END,
           rows_accepted = v_rows, batch_count = v_batches, updated_at = p_now,
           completed_at = CASE WHEN v_batches = 0 THEN p_now END
     WHERE d.id = p_dataset_id;
    IF v_batches > 0 THEN
        PERFORM pg_notify('pacer_clicks', v_dataset.partner_id::text);
    END IF;
    RETURN v_batches;
END;
$$;
