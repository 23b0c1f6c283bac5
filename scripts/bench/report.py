"""Turns the bench runs into one table of medians and ratios (markdown)."""
import datetime
import os
import statistics
import sys

path, runs, seconds, connections, threads = sys.argv[1:6]
rows = {}
for line in open(path):
    name, batch, rps, p50, p99, p999, errors, requests = line.split()
    rows.setdefault(name, []).append((int(batch), float(rps), int(p50), int(p99), int(p999), int(errors)))


def median(name, index):
    values = [row[index] for row in rows.get(name, [])]
    return statistics.median(values) if values else None


labels = {
    "noop": "no-op POST route (baseline)",
    "decide-1000": "POST /v1/decide, 1,000 campaigns",
    "decide-1": "POST /v1/decide, one campaign",
    "direct-1000": "per-request database decision, 1,000 campaigns",
    "direct-1": "per-request database decision, one campaign",
    "decide-batch50": "POST /v1/decide, 50 bids per request",
    "spend-single": "POST /v1/spend, one event per request (durable)",
    "spend-batch50": "POST /v1/spend, 50 events per request (durable)",
}
print(f"Pacer benchmark, {datetime.date.today().isoformat()}, {os.cpu_count()} cores, "
      f"wrk -t{threads} -c{connections} -d{seconds}s, median of {runs} runs")
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
        print(f"- {labels[name]} / no-op: **{value / noop:.2f}×** (goal ≥ 0.9)")
for memory, database in (("decide-1000", "direct-1000"), ("decide-1", "direct-1")):
    if median(memory, 1) and median(database, 1):
        print(f"- {labels[memory]} / {labels[database]}: **{median(memory, 1) / median(database, 1):.2f}×** (goal ≥ 4)")
if median("decide-1000", 1) and median("decide-1", 1):
    print(f"- one campaign / 1,000 campaigns: **{median('decide-1', 1) / median('decide-1000', 1):.2f}×** (goal ≥ 1.0)")
if median("decide-batch50", 1):
    print(f"- batch decide: **{median('decide-batch50', 1) * 50:,.0f} decisions/s** (goal ≥ 200,000)")
if median("spend-single", 1) and median("spend-batch50", 1):
    print(f"- durable spend: **{median('spend-single', 1):,.0f} events/s** single, "
          f"**{median('spend-batch50', 1) * 50:,.0f} events/s** in batches of 50")
