-- POST /v1/decide, one bid per request, over the campaign ids in $PACER_BENCH_IDS.
dofile(os.getenv("PACER_BENCH_DIR") .. "/common.lua")
local ids = load_ids(os.getenv("PACER_BENCH_IDS"))
local counter = 0

request = function()
  counter = counter + 1
  local id = ids[(counter % #ids) + 1]
  return wrk.format(nil, "/v1/decide", nil,
    '{"campaign_id":"' .. id .. '","bid_cents":0.25,"request_id":"r' .. counter .. '"}')
end
