-- POST /v1/noop: the same route handling (auth, body) as /v1/decide with no decision; the baseline.
dofile(os.getenv("PACER_BENCH_DIR") .. "/common.lua")
local ids = load_ids(os.getenv("PACER_BENCH_IDS"))
local counter = 0

request = function()
  counter = counter + 1
  local id = ids[(counter % #ids) + 1]
  return wrk.format(nil, "/v1/noop", nil,
    '{"campaign_id":"' .. id .. '","bid_cents":0.25,"request_id":"r' .. counter .. '"}')
end
