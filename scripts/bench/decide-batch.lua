-- POST /v1/decide with $PACER_BENCH_BATCH (default 50) bids per request.
dofile(os.getenv("PACER_BENCH_DIR") .. "/common.lua")
local ids = load_ids(os.getenv("PACER_BENCH_IDS"))
local size = tonumber(os.getenv("PACER_BENCH_BATCH") or "50")
local counter = 0

request = function()
  local parts = {}
  for i = 1, size do
    counter = counter + 1
    parts[i] = '{"campaign_id":"' .. ids[(counter % #ids) + 1] .. '","bid_cents":0.25}'
  end
  return wrk.format(nil, "/v1/decide", nil, '{"requests":[' .. table.concat(parts, ",") .. ']}')
end
