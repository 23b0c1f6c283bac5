-- POST /v1/decide/direct: the per-request-database peer (one pacer.check_bid call per bid).
dofile(os.getenv("PACER_BENCH_DIR") .. "/common.lua")
local ids = load_ids(os.getenv("PACER_BENCH_IDS"))
local counter = 0

request = function()
  counter = counter + 1
  local id = ids[(counter % #ids) + 1]
  return wrk.format(nil, "/v1/decide/direct", nil, '{"campaign_id":"' .. id .. '","bid_cents":0.25}')
end
