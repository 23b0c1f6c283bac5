"""Propagation of a campaign change and of a breaker trip from one instance to two others.

Usage: propagation.py RUNS ROUNDS SYNC_CAMPAIGN TRIP_IDS_FILE URL1 URL2 URL3
(token from PACER_ADMIN_TOKEN). Per run, prints
  RESULT-PROP config p50_ms p99_ms samples
  RESULT-PROP breaker p50_ms p99_ms samples
config: ROUNDS times, pause or resume SYNC_CAMPAIGN through PUT on instance 1, then time until
instances 2 and 3 each decide accordingly (one sample per instance and round).
breaker: for each of ROUNDS fresh campaigns of TRIP_IDS_FILE (100 cents a day, trip ratio 0.5),
60 cents of spend through instance 1 and one decision there (which trips), then time from the
spend until instances 2 and 3 each answer breaker_open.
"""
import http.client
import json
import os
import statistics
import sys
import time
import urllib.parse

runs, rounds = int(sys.argv[1]), int(sys.argv[2])
sync_campaign = sys.argv[3]
trip_ids = [line.strip() for line in open(sys.argv[4]) if line.strip()]
token = os.environ.get("PACER_ADMIN_TOKEN", "")


class Instance:
    """One keep-alive connection to one server."""

    def __init__(self, url):
        parts = urllib.parse.urlsplit(url)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)

    def call(self, method, path, body):
        self.connection.request(method, path, body=json.dumps(body),
                                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        response = self.connection.getresponse()
        data = response.read()
        return response.status, (json.loads(data) if data else {})

    def reason(self, campaign, request_id):
        _, answer = self.call("POST", "/v1/decide",
                              {"campaign_id": campaign, "bid_cents": 0.01, "request_id": request_id})
        return answer.get("reason")


instances = [Instance(url) for url in sys.argv[5:8]]


def wait_until(condition, started, deadline=10.0):
    """Milliseconds from `started` until `condition()` holds (polling), or None after `deadline` s."""
    while not condition():
        if time.monotonic() - started > deadline:
            return None
    return (time.monotonic() - started) * 1000


def percentile(samples, p):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))]


def report(kind, samples, missed):
    if samples:
        print(f"RESULT-PROP {kind} {percentile(samples, 50):.2f} {percentile(samples, 99):.2f} {len(samples)}", flush=True)
    if missed:
        print(f"propagation: {kind}: {missed} samples never arrived within 10 s", file=sys.stderr)


used = 0
for run in range(runs):
    samples, missed = [], 0
    for number in range(rounds):
        paused = number % 2 == 0
        status = "paused" if paused else "active"
        started = time.monotonic()
        code, _ = instances[0].call("PUT", f"/v1/campaigns/{sync_campaign}",
                                    {"name": "sync", "daily_budget_cents": 10000, "pacing": "ASAP", "status": status})
        if code != 200:
            sys.exit(f"propagation: PUT answered {code}")
        for other in instances[1:]:
            tag = f"c{run}-{number}"
            elapsed = wait_until(lambda: (other.reason(sync_campaign, tag) == "paused") == paused, started)
            if elapsed is None:
                missed += 1
            else:
                samples.append(elapsed)
    report("config", samples, missed)

    samples, missed = [], 0
    for number in range(rounds):
        if used >= len(trip_ids):
            break
        campaign = trip_ids[used]
        used += 1
        for index, instance in enumerate(instances):
            instance.reason(campaign, f"warm{index}")
        started = time.monotonic()
        code, _ = instances[0].call("POST", "/v1/spend",
                                    {"event_id": f"trip-{campaign}", "campaign_id": campaign, "spend_cents": 60})
        if code != 200:
            sys.exit(f"propagation: spend answered {code}")
        instances[0].reason(campaign, "trip")
        for other in instances[1:]:
            elapsed = wait_until(lambda: other.reason(campaign, "t") == "breaker_open", started)
            if elapsed is None:
                missed += 1
            else:
                samples.append(elapsed)
    report("breaker", samples, missed)
