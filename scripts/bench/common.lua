-- Shared by the wrk scripts: bearer token, JSON headers, and a done() that prints one
-- machine-readable line: RESULT requests_per_second p50_us p99_us p999_us errors
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("PACER_ADMIN_TOKEN") or "")

function load_ids(path)
  local ids = {}
  for line in io.lines(path) do
    if #line > 0 then ids[#ids + 1] = line end
  end
  return ids
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout
  io.write(string.format("RESULT %.1f %d %d %d %d %d\n", summary.requests / seconds,
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9), errors, summary.requests))
end
