-- Partition maintenance for the day-partitioned tables: spend_events (by campaign-local day),
-- decision_stats and click_batches (by UTC day). Partitions are named PARENT_pYYYYMMDD and cover
-- one day. The servers call pacer.ensure_all_partitions at start and daily, a few days ahead;
-- retention drops whole partitions. Re-runnable: CREATE OR REPLACE only.

-- Creates the missing daily partitions of a range-partitioned table (key of type date or
-- timestamptz) for p_days days from p_from, and returns how many it created. Rows the DEFAULT
-- partition caught for such a day are moved into the new partition in the same transaction.
-- Serialised per table by an advisory lock, so concurrent callers do not collide.
CREATE OR REPLACE FUNCTION pacer.ensure_daily_partitions(p_parent regclass, p_from date, p_days integer)
RETURNS integer
LANGUAGE plpgsql
AS $$
DECLARE
    v_schema   text;
    v_table    text;
    v_key      text;
    v_key_type regtype;
    v_default  regclass;
    v_columns  text;
    v_day      date;
    v_name     text;
    v_low      text;
    v_high     text;
    v_moving   boolean;
    v_created  integer := 0;
BEGIN
    IF p_parent IS NULL OR p_from IS NULL OR p_days IS NULL THEN
        RAISE EXCEPTION 'ensure_daily_partitions: arguments must not be null'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF p_days < 1 OR p_days > 366 THEN
        RAISE EXCEPTION 'ensure_daily_partitions: p_days must be between 1 and 366, got %', p_days
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    SELECT n.nspname, c.relname, a.attname, a.atttypid::regtype, nullif(pt.partdefid, 0)::regclass
      INTO v_schema, v_table, v_key, v_key_type, v_default
      FROM pg_catalog.pg_partitioned_table pt
      JOIN pg_catalog.pg_class c ON c.oid = pt.partrelid
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_catalog.pg_attribute a ON a.attrelid = pt.partrelid AND a.attnum = pt.partattrs[0]
     WHERE pt.partrelid = p_parent
       AND pt.partstrat = 'r'
       AND pt.partnatts = 1;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'ensure_daily_partitions: % is not partitioned by range on one column', p_parent
            USING ERRCODE = 'wrong_object_type';
    END IF;
    IF v_key_type NOT IN ('date'::regtype, 'timestamp with time zone'::regtype) THEN
        RAISE EXCEPTION 'ensure_daily_partitions: partition key %.% is %, expected date or timestamptz',
            p_parent, v_key, v_key_type
            USING ERRCODE = 'wrong_object_type';
    END IF;

    PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('pacer.partitions:' || p_parent::oid::text, 0));

    FOR i IN 0 .. p_days - 1 LOOP
        v_day := p_from + i;
        v_name := v_table || '_p' || to_char(v_day, 'YYYYMMDD');
        CONTINUE WHEN to_regclass(format('%I.%I', v_schema, v_name)) IS NOT NULL;

        IF v_key_type = 'date'::regtype THEN
            v_low := v_day::text;
            v_high := (v_day + 1)::text;
        ELSE
            v_low := v_day::text || ' 00:00:00+00';
            v_high := (v_day + 1)::text || ' 00:00:00+00';
        END IF;

        v_moving := false;
        IF v_default IS NOT NULL THEN
            EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s WHERE %I >= %L AND %I < %L)',
                           v_default, v_key, v_low, v_key, v_high)
               INTO v_moving;
        END IF;

        IF v_moving THEN
            -- A new partition cannot be created over rows the default partition holds for its
            -- range: build it standalone, move the rows, then attach it.
            SELECT string_agg(format('%I', attname), ', ' ORDER BY attnum)
              INTO v_columns
              FROM pg_catalog.pg_attribute
             WHERE attrelid = p_parent AND attnum > 0 AND NOT attisdropped;
            EXECUTE format('CREATE TABLE %I.%I (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE)',
                           v_schema, v_name, p_parent);
            EXECUTE format('WITH moved AS (DELETE FROM %s WHERE %I >= %L AND %I < %L RETURNING %s) '
                           'INSERT INTO %I.%I (%s) SELECT %s FROM moved',
                           v_default, v_key, v_low, v_key, v_high, v_columns,
                           v_schema, v_name, v_columns, v_columns);
            EXECUTE format('ALTER TABLE %s ATTACH PARTITION %I.%I FOR VALUES FROM (%L) TO (%L)',
                           p_parent, v_schema, v_name, v_low, v_high);
        ELSE
            EXECUTE format('CREATE TABLE %I.%I PARTITION OF %s FOR VALUES FROM (%L) TO (%L)',
                           v_schema, v_name, p_parent, v_low, v_high);
        END IF;
        v_created := v_created + 1;
    END LOOP;
    RETURN v_created;
END;
$$;

-- Creates the missing spend_events partitions for p_days campaign-local days from p_from.
CREATE OR REPLACE FUNCTION pacer.ensure_spend_partitions(p_from date, p_days integer)
RETURNS integer
LANGUAGE sql
AS $$
    SELECT pacer.ensure_daily_partitions('pacer.spend_events'::regclass, p_from, p_days);
$$;

-- Creates the missing partitions of every day-partitioned table for p_days days from p_from
-- and returns how many it created. spend_events starts a day earlier, because campaign-local
-- days run up to 14 hours behind UTC.
CREATE OR REPLACE FUNCTION pacer.ensure_all_partitions(p_from date, p_days integer)
RETURNS integer
LANGUAGE plpgsql
AS $$
BEGIN
    IF p_from IS NULL OR p_days IS NULL THEN
        RAISE EXCEPTION 'ensure_all_partitions: arguments must not be null'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    RETURN pacer.ensure_daily_partitions('pacer.spend_events'::regclass, p_from - 1, p_days + 1)
         + pacer.ensure_daily_partitions('pacer.decision_stats'::regclass, p_from, p_days)
         + pacer.ensure_daily_partitions('pacer.click_batches'::regclass, p_from, p_days);
END;
$$;

-- The daily partitions of a table (named PARENT_pYYYYMMDD by ensure_daily_partitions) with the
-- day each covers, oldest first; the default partition is not listed.
CREATE OR REPLACE FUNCTION pacer.daily_partitions(p_parent regclass)
RETURNS TABLE (partition regclass, day date)
LANGUAGE sql
STABLE
AS $$
    SELECT c.oid::regclass, to_date(substring(c.relname FROM '_p([0-9]{8})$'), 'YYYYMMDD')
      FROM pg_catalog.pg_inherits i
      JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid
      JOIN pg_catalog.pg_class p ON p.oid = i.inhparent
     WHERE i.inhparent = p_parent
       AND c.relname = p.relname || '_p' || substring(c.relname FROM '_p([0-9]{8})$')
     ORDER BY 2;
$$;

-- Drops the daily partitions of a table whose whole day lies before p_before and returns how
-- many it dropped. For retention of spend_events and decision_stats; click_batches has its own
-- guarded variant below.
CREATE OR REPLACE FUNCTION pacer.drop_daily_partitions_before(p_parent regclass, p_before date)
RETURNS integer
LANGUAGE plpgsql
AS $$
DECLARE
    v_partition regclass;
    v_dropped   integer := 0;
BEGIN
    IF p_parent IS NULL OR p_before IS NULL THEN
        RAISE EXCEPTION 'drop_daily_partitions_before: arguments must not be null'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF p_parent = 'pacer.click_batches'::regclass THEN
        RAISE EXCEPTION 'drop_daily_partitions_before: use pacer.drop_click_batch_partitions_before for click_batches'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('pacer.partitions:' || p_parent::oid::text, 0));
    FOR v_partition IN SELECT partition FROM pacer.daily_partitions(p_parent) WHERE day < p_before LOOP
        EXECUTE format('DROP TABLE %s', v_partition);
        v_dropped := v_dropped + 1;
    END LOOP;
    RETURN v_dropped;
END;
$$;

-- Drops the click_batches partitions of days before p_before whose batches are all finished
-- (delivered, dead or cancelled), and returns how many it dropped. A partition that still holds
-- a pending, leased or retrying batch is kept and named in a NOTICE: no click is dropped unsent.
-- The audit trail (batch_audit) is not touched.
CREATE OR REPLACE FUNCTION pacer.drop_click_batch_partitions_before(p_before date)
RETURNS integer
LANGUAGE plpgsql
AS $$
DECLARE
    v_partition regclass;
    v_busy      boolean;
    v_dropped   integer := 0;
BEGIN
    IF p_before IS NULL THEN
        RAISE EXCEPTION 'drop_click_batch_partitions_before: p_before must not be null'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    PERFORM pg_catalog.pg_advisory_xact_lock(
        pg_catalog.hashtextextended('pacer.partitions:' || 'pacer.click_batches'::regclass::oid::text, 0));
    FOR v_partition IN
        SELECT partition FROM pacer.daily_partitions('pacer.click_batches'::regclass) WHERE day < p_before
    LOOP
        -- Lock first so that no claim can change a batch between the check and the drop.
        EXECUTE format('LOCK TABLE %s IN ACCESS EXCLUSIVE MODE', v_partition);
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s WHERE state IN (''pending'', ''leased'', ''retrying''))', v_partition)
           INTO v_busy;
        IF v_busy THEN
            RAISE NOTICE 'keeping %: it holds undelivered batches', v_partition;
            CONTINUE;
        END IF;
        EXECUTE format('DROP TABLE %s', v_partition);
        v_dropped := v_dropped + 1;
    END LOOP;
    RETURN v_dropped;
END;
$$;

-- Deletes dedup keys of spend events counted before p_before, at most p_limit of them, and
-- returns how many it deleted; call it repeatedly (each call its own transaction) until it
-- returns 0. Events older than the dedup window are then no longer recognised as duplicates,
-- so keep the window well beyond any retry or journal replay (the default policy is 35 days).
CREATE OR REPLACE FUNCTION pacer.prune_spend_event_ids(p_before date, p_limit integer DEFAULT 10000)
RETURNS integer
LANGUAGE plpgsql
AS $$
DECLARE
    v_deleted integer;
BEGIN
    IF p_before IS NULL OR p_limit IS NULL OR p_limit < 1 THEN
        RAISE EXCEPTION 'prune_spend_event_ids: p_before must not be null and p_limit must be positive'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    DELETE FROM pacer.spend_event_ids AS s
     USING (SELECT campaign_id, event_id FROM pacer.spend_event_ids WHERE day < p_before LIMIT p_limit) AS old
     WHERE s.campaign_id = old.campaign_id AND s.event_id = old.event_id;
    GET DIAGNOSTICS v_deleted = ROW_COUNT;
    RETURN v_deleted;
END;
$$;
