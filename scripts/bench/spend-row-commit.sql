-- pgbench script: the single-row-commit peer of durable spend. Each transaction records one win
-- notice through pacer.record_spend and commits it on its own (no group commit by the caller).
-- Campaign ids come from bench_ids (k = 1..1000), filled by scripts/bench.sh.
\set k random(1, 1000)
\set e random(1, 9000000000000000)
SELECT count(*) FROM pacer.record_spend(
    ARRAY['pgb-' || :client_id || '-' || :e],
    ARRAY[(SELECT id FROM bench_ids WHERE k = :k)],
    ARRAY[100::bigint], ARRAY[1], ARRAY[0], ARRAY[NULL::text], ARRAY[now()], 'pgbench');
