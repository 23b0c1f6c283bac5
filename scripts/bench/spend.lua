-- POST /v1/spend with unique event ids, $PACER_BENCH_BATCH events per request (1: single).
dofile(os.getenv("PACER_BENCH_DIR") .. "/common.lua")
local ids = load_ids(os.getenv("PACER_BENCH_IDS"))
local size = tonumber(os.getenv("PACER_BENCH_BATCH") or "1")
local counter = 0
local threads = 0

-- Each wrk thread gets its own tag so event ids never repeat across threads.
function setup(thread)
  threads = threads + 1
  thread:set("tag", threads .. "-" .. os.time())
end

request = function()
  local parts = {}
  for i = 1, size do
    counter = counter + 1
    parts[i] = '{"event_id":"' .. tag .. '-' .. counter .. '","campaign_id":"' .. ids[(counter % #ids) + 1] .. '","spend_cents":0.01}'
  end
  if size == 1 then
    return wrk.format(nil, "/v1/spend", nil, parts[1])
  end
  return wrk.format(nil, "/v1/spend", nil, '{"events":[' .. table.concat(parts, ",") .. ']}')
end
