"""Turns pgbench's per-transaction logs into the RESULT line of the wrk scripts.

Usage: pgbench-result.py SECONDS LOG_FILE... ; prints
RESULT transactions_per_second p50_us p99_us p999_us failures transactions
(pgbench log lines: client transaction latency_us script epoch_s epoch_us; a failed
transaction has "failed" or "serialization"/"deadlock" in place of its latency).
"""
import sys

seconds = float(sys.argv[1])
latencies = []
failures = 0
for path in sys.argv[2:]:
    for line in open(path):
        fields = line.split()
        if len(fields) < 3:
            continue
        try:
            latencies.append(int(fields[2]))
        except ValueError:
            failures += 1
latencies.sort()


def percentile(p):
    if not latencies:
        return 0
    return latencies[min(len(latencies) - 1, int(len(latencies) * p / 100))]


print(f"RESULT {len(latencies) / seconds:.1f} {percentile(50)} {percentile(99)} {percentile(99.9)} "
      f"{failures} {len(latencies)}")
