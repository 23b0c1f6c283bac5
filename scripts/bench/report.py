"""Turns the bench runs into one table of medians and ratios (markdown).

Usage: report.py RESULTS RUNS SECONDS CONNECTIONS THREADS [EXTRAS SIM COMMAND ELAPSED]
RESULTS: one line per wrk/pgbench run, "name batch rps p50 p99 p999 errors requests".
EXTRAS: one line per measured figure and run, "key value"; the table shows the median per key.
SIM: PacerSim's output, appended as it is.
"""
import datetime
import os
import statistics
import sys

path, runs, seconds, connections, threads = sys.argv[1:6]
extras_path = sys.argv[6] if len(sys.argv) > 6 else None
sim_path = sys.argv[7] if len(sys.argv) > 7 else None
command = sys.argv[8] if len(sys.argv) > 8 else "make bench"
elapsed = sys.argv[9] if len(sys.argv) > 9 else None

rows = {}
for line in open(path):
    name, batch, rps, p50, p99, p999, errors, requests = line.split()
    rows.setdefault(name, []).append((int(batch), float(rps), int(p50), int(p99), int(p999), int(errors)))

extras = {}
if extras_path and os.path.exists(extras_path):
    for line in open(extras_path):
        fields = line.split()
        if len(fields) == 2:
            try:
                extras.setdefault(fields[0], []).append(float(fields[1]))
            except ValueError:
                pass


def median(name, index):
    values = [row[index] for row in rows.get(name, [])]
    return statistics.median(values) if values else None


def extra(key):
    values = extras.get(key)
    return statistics.median(values) if values else None


def met(value, goal, higher_is_better=True):
    ok = value >= goal if higher_is_better else value <= goal
    return "met" if ok else "**not met**"


labels = {
    "noop": "no-op POST route (baseline)",
    "decide-1000": "POST /v1/decide, 1,000 campaigns",
    "decide-1": "POST /v1/decide, one campaign",
    "direct-1000": "per-request database decision, 1,000 campaigns",
    "direct-1": "per-request database decision, one campaign",
    "decide-batch50": "POST /v1/decide, 50 bids per request",
    "spend-single": "POST /v1/spend, one event per request (durable)",
    "spend-batch50": "POST /v1/spend, 50 events per request (durable)",
    "spend-row-commit": "pgbench: one pacer.record_spend per commit (peer)",
}
when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
print(f"Pacer benchmark, {when}, {os.cpu_count()} cores, `{command}`"
      + (f" ({int(elapsed) // 60} min {int(elapsed) % 60} s)" if elapsed else ""))
print(f"Load: wrk -t{threads} -c{connections} -d{seconds}s (pgbench -c{connections} -T{seconds}); "
      f"medians of {runs} runs.")
print()
print("| scenario | requests/s | items/s | p50 µs | p99 µs | p99.9 µs | errors |")
print("|---|---:|---:|---:|---:|---:|---:|")
for name, label in labels.items():
    if name not in rows:
        continue
    batch = rows[name][0][0]
    rps = median(name, 1)
    print(f"| {label} | {rps:,.0f} | {rps * batch:,.0f} | {median(name, 2):,.0f} | {median(name, 3):,.0f} | "
          f"{median(name, 4):,.0f} | {sum(r[5] for r in rows[name])} |")
print()
noop = median("noop", 1)
for name in ("decide-1000", "decide-1"):
    value = median(name, 1)
    if noop and value:
        print(f"- {labels[name]} / no-op: **{value / noop:.2f}×** (goal ≥ 0.9: {met(value / noop, 0.9)})")
for memory, database in (("decide-1000", "direct-1000"), ("decide-1", "direct-1")):
    if median(memory, 1) and median(database, 1):
        ratio = median(memory, 1) / median(database, 1)
        print(f"- {labels[memory]} / {labels[database]}: **{ratio:.2f}×** (goal ≥ 4: {met(ratio, 4)})")
if median("decide-1000", 1) and median("decide-1", 1):
    print(f"- one campaign / 1,000 campaigns: **{median('decide-1', 1) / median('decide-1000', 1):.2f}×**")
if median("decide-batch50", 1):
    value = median("decide-batch50", 1) * 50
    print(f"- batch decide: **{value:,.0f} decisions/s** (goal ≥ 200,000: {met(value, 200_000)})")
if median("spend-single", 1) and median("spend-batch50", 1):
    line = (f"- durable spend: **{median('spend-single', 1):,.0f} events/s** single, "
            f"**{median('spend-batch50', 1) * 50:,.0f} events/s** in batches of 50")
    if median("spend-row-commit", 1):
        peer = median("spend-row-commit", 1)
        line += (f"; single-row commits: **{peer:,.0f} events/s** (server single {median('spend-single', 1) / peer:.2f}×, "
                 f"batched {median('spend-batch50', 1) * 50 / peer:.2f}×)")
    print(line)

print()
print("| figure | median | goal |")
print("|---|---:|---|")
for kind, label in (("config", "campaign change (PUT) reaches 2 other instances"),
                    ("breaker", "breaker trip reaches 2 other instances")):
    p50, p99 = extra(f"propagation-{kind}-p50-ms"), extra(f"propagation-{kind}-p99-ms")
    samples = extra(f"propagation-{kind}-samples")
    if p50 is not None:
        print(f"| {label}, p50 / p99 ({samples:.0f} samples a run) | {p50:.1f} / {p99:.1f} ms | |")
empty, full = extra("memory-empty-rss-kb"), extra("memory-100k-rss-kb")
if empty is not None and full is not None:
    per = (full - empty) * 1024 / 100_000
    print(f"| server RSS, 0 campaigns / 100,000 campaigns (after a round of decisions) | "
          f"{empty / 1024:,.0f} / {full / 1024:,.0f} MiB | |")
    start = extra("memory-100k-start-rss-kb")
    if start is not None:
        print(f"| server RSS with 100,000 campaigns right after start-up / peak (VmHWM) | "
              f"{start / 1024:,.0f} / {extra('memory-100k-hwm-kb') / 1024:,.0f} MiB | |")
    print(f"| memory per campaign (RSS difference / 100,000) | {per:,.0f} bytes | ≤ 1,024: {met(per, 1024, False)} |")
    if extra("engine-bytes-per-campaign") is not None:
        print(f"| of which the pacing engine (100,000 CampaignPacer values alone, PacerBench memory) | "
              f"{extra('engine-bytes-per-campaign'):,.0f} bytes | |")
    if extra("memory-100k-start-seconds") is not None:
        print(f"| start-up until ready with 100,000 campaigns | {extra('memory-100k-start-seconds'):.0f} s | |")
    if extra("memory-100k-stop-seconds") is not None:
        print(f"| SIGTERM until exit with 100,000 campaigns (leases given back) | {extra('memory-100k-stop-seconds'):.0f} s | |")
if extra("callgrind-instructions-per-decision") is not None:
    print(f"| instructions per decision, CampaignPacer.decide under callgrind | "
          f"{extra('callgrind-instructions-per-decision'):,.0f} | |")
if extra("click-ingest-rows-per-second") is not None:
    print(f"| click ingest (NDJSON upload) | {extra('click-ingest-rows-per-second'):,.0f} rows/s | |")
if extra("click-delivered-per-second") is not None:
    print(f"| clicks delivered to a local sink partner | {extra('click-delivered-per-second'):,.0f} clicks/s | |")
if extra("click-ingest-rows-per-second") is None:
    print("| click ingest / delivery | not measured (scripts/bench-clicks.sh absent or failed) | |")

phases = (("build", "release build"), ("wrk", "set-up and wrk scenarios"), ("pgbench", "pgbench"),
          ("propagation", "propagation"), ("memory", "memory"), ("callgrind", "callgrind"),
          ("clicks", "clicks"), ("sim", "PacerSim"))
spent = [f"{label} {extra(f'time-{key}-seconds'):.0f} s" for key, label in phases
         if extra(f"time-{key}-seconds") is not None]
if spent:
    print()
    print("Where the suite's time went: " + ", ".join(spent) + ".")

if sim_path and os.path.exists(sim_path):
    print()
    print("Pacing quality: `PacerSim --campaigns examples/sim/campaigns.json --traffic examples/sim/traffic.csv --runs 3`")
    print()
    print("```")
    print(open(sim_path).read().rstrip())
    print("```")
