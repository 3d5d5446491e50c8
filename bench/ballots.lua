-- wrk script for bench_ballots.py: every request spends the next unused ballot code.
--
--   wrk -t1 -c32 -d10s -s bench/ballots.lua http://127.0.0.1:PORT -- CODES_FILE START PATH CSRF
--
-- CODES_FILE: one line per code, "CODE<TAB>item=ID&item=ID..." (the ticks for that code)
-- START:      1-based line to start from (the lines before were spent by an earlier run)
-- PATH:       "/v/" posts to /v/CODE (the ballot); anything else is posted to as it is (bare)
-- CSRF:       the csrftoken cookie value, sent as cookie and as the _csrf_token form field
-- Use -t1: the position in the file lives in the thread's Lua state.

local codes, ticks = {}, {}
local first = 1
local path, csrf
local headers = {}
-- globals: done() reads them with thread:get
pos = 1
statuses = {}

function init(args)
   local file = args[1]
   first = tonumber(args[2] or "1")
   path = args[3] or "/v/"
   csrf = args[4] or ""
   for line in io.lines(file) do
      local code, body = line:match("^(%S+)\t(.*)$")
      codes[#codes + 1] = code
      ticks[#ticks + 1] = body
   end
   pos = first
   headers["Content-Type"] = "application/x-www-form-urlencoded"
   headers["Cookie"] = "csrftoken=" .. csrf
end

function request()
   local code, body = codes[pos], ticks[pos]
   if code == nil then
      -- out of codes: an invalid code, so it shows up as a failure instead of a double vote
      code, body = "EXHAUSTED", "item=0"
   end
   pos = pos + 1
   local target = path
   if path == "/v/" then target = "/v/" .. code end
   return wrk.format("POST", target, headers, "_csrf_token=" .. csrf .. "&" .. body)
end

function response(status, hdrs, body)
   statuses[status] = (statuses[status] or 0) + 1
end

local threads = {}

function setup(thread)
   threads[#threads + 1] = thread
end

function done(summary, latency, requests)
   local next_pos, ok, bad = 0, 0, 0
   local by_status = {}
   for _, t in ipairs(threads) do
      next_pos = t:get("pos")
      for status, n in pairs(t:get("statuses")) do
         by_status[#by_status + 1] = status .. ":" .. n
         if status >= 200 and status < 300 then ok = ok + n else bad = bad + n end
      end
   end
   local e = summary.errors
   io.write(string.format(
      "BENCH next=%d requests=%d duration_us=%d ok=%d bad=%d statuses=%s "
      .. "connect=%d read=%d write=%d timeout=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d\n",
      next_pos, summary.requests, summary.duration, ok, bad, table.concat(by_status, ","),
      e.connect, e.read, e.write, e.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
