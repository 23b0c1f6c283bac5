-- One bid per request to $PACER_BENCH_PATH (default /v1/decide) over the campaign ids in
-- $PACER_BENCH_IDS. With PACER_BENCH_PATH=/v1/noop it is the baseline (same auth and body
-- handling, no decision); with /v1/decide/direct the per-request-database peer.
dofile(os.getenv("PACER_BENCH_DIR") .. "/common.lua")
local ids = load_ids(os.getenv("PACER_BENCH_IDS"))
local path = os.getenv("PACER_BENCH_PATH") or "/v1/decide"
local counter = 0

request = function()
  counter = counter + 1
  local id = ids[(counter % #ids) + 1]
  return wrk.format(nil, path, nil,
    '{"campaign_id":"' .. id .. '","bid_cents":0.25,"request_id":"r' .. counter .. '"}')
end
