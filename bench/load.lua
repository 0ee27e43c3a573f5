-- wrk script of the lookout benchmark (bench/run.py runs it; see BENCHMARKS.md).
--
-- Two kinds of request, chosen by the environment:
--   BENCH_BODY      a file holding a JSON-RPC request: POST it as an MCP Streamable HTTP
--                   client does (Content-Type, Accept with both types, MCP-Protocol-Version)
--   (unset)         a plain GET of the URL (the direct call to the upstream)
--   BENCH_HEADERS   more headers, one "Name: value" per line (X-Thruk-Auth-Key, a session id)
--
-- Each JSON-RPC request gets an id of its own (the body's `"id":1` is replaced): a stateful
-- server routes answers within a session by id, so concurrent requests must not share one.
--
-- Every answer is checked, since a raw load generator would count a JSON-RPC error (HTTP 200)
-- as a success: for MCP, a 2xx whose body has a JSON-RPC "result" and no "isError":true; for
-- a GET, a 2xx whose body starts with a JSON list. done() prints one line, BENCH_RESULT {json}.

local body_path = os.getenv("BENCH_BODY")
local mcp = body_path ~= nil and body_path ~= ""

local body_head, body_tail
if mcp then
  local f = assert(io.open(body_path, "rb"), "cannot read BENCH_BODY")
  wrk.body = f:read("*a")
  f:close()
  local s, e = string.find(wrk.body, '"id"%s*:%s*1', 1)
  assert(s, 'BENCH_BODY must hold "id":1')
  body_head = string.sub(wrk.body, 1, s - 1) .. '"id":'
  body_tail = string.sub(wrk.body, e + 1)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Accept"] = "application/json, text/event-stream"
  wrk.headers["MCP-Protocol-Version"] = "2025-06-18"
else
  wrk.method = "GET"
end
for line in string.gmatch(os.getenv("BENCH_HEADERS") or "", "[^\r\n]+") do
  local name, value = string.match(line, "^%s*([^:%s]+)%s*:%s*(.-)%s*$")
  if name then wrk.headers[name] = value end
end

local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("next_id", #threads * 1000000000)
end

next_id = 0
if mcp then
  function request()
    next_id = next_id + 1
    return wrk.format(nil, nil, nil, body_head .. next_id .. body_tail)
  end
end

-- Per-thread counters (each wrk thread has its own Lua state; done() reads them back).
ok = 0
http_errors = 0
rpc_errors = 0
tool_errors = 0
bad_bodies = 0
first_bad = ""

local function note(kind, text)
  if first_bad == "" then
    first_bad = kind .. ": " .. string.sub(string.gsub(text or "", "%s+", " "), 1, 300)
  end
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    http_errors = http_errors + 1
    note("HTTP " .. status, body)
  elseif mcp then
    if string.find(body, '"result"%s*:') then
      if string.find(body, '"isError"%s*:%s*true') then
        tool_errors = tool_errors + 1
        note("tool error", body)
      else
        ok = ok + 1
      end
    elseif string.find(body, '"error"%s*:') then
      rpc_errors = rpc_errors + 1
      note("JSON-RPC error", body)
    else
      bad_bodies = bad_bodies + 1
      note("no result", body)
    end
  elseif string.find(body, "^%s*%[") then
    ok = ok + 1
  else
    bad_bodies = bad_bodies + 1
    note("not a JSON list", body)
  end
end

function done(summary, latency, requests)
  local t = {ok = 0, http_errors = 0, rpc_errors = 0, tool_errors = 0, bad_bodies = 0}
  local bad = ""
  for _, thread in ipairs(threads) do
    for k, _ in pairs(t) do t[k] = t[k] + (thread:get(k) or 0) end
    local fb = thread:get("first_bad") or ""
    if bad == "" and fb ~= "" then bad = fb end
  end
  local secs = summary.duration / 1e6
  local e = summary.errors
  local function ms(us) return us / 1000 end
  local out = string.format(
    '{"requests":%d,"duration_s":%.3f,"rps":%.2f,"bytes":%d,' ..
    '"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,"mean_ms":%.3f,' ..
    '"ok":%d,"http_errors":%d,"rpc_errors":%d,"tool_errors":%d,"bad_bodies":%d,' ..
    '"socket_errors":%d,"first_bad":"%s"}',
    summary.requests, secs, secs > 0 and summary.requests / secs or 0, summary.bytes,
    ms(latency:percentile(50)), ms(latency:percentile(90)), ms(latency:percentile(99)),
    ms(latency.max), ms(latency.mean),
    t.ok, t.http_errors, t.rpc_errors, t.tool_errors, t.bad_bodies,
    e.connect + e.read + e.write + e.timeout,
    string.gsub(string.gsub(bad, '\\', '\\\\'), '"', '\\"'))
  io.write("BENCH_RESULT " .. out .. "\n")
end
