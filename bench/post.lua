-- wrk script: POST pre-signed WeChat callbacks from a file made by bench/gen_requests.py.
--
--   wrk -t2 -c16 -d10s --latency -s bench/post.lua http://127.0.0.1:PORT -- requests.tsv
--
-- The file has one request per line: "<path?query>\t<body>[\tT]", T marking a message that
-- creates a ticket (counted as "marked" when sent). Each thread takes its own
-- slice of the file (thread i of T starts at line i*N/T), so no MsgId is sent twice unless
-- a slice runs out and wraps; done() reports whether that happened ("wrapped").
-- A reply counts as "replied" when it is a 200 whose body is an encrypted reply
-- (<Encrypt>); "success" (no passive reply) or anything else counts as "empty".
-- done() prints one parseable line:
--   BENCH rps=.. p50_ms=.. p99_ms=.. max_ms=.. requests=.. replied=.. empty=.. non2xx=..
--         errors=.. wrapped=.. marked=..

local threads = {}
local counter = 0

function setup(thread)
   thread:set("id", counter)
   table.insert(threads, thread)
   counter = counter + 1
end

local requests = {}
local marks = {}
local first, last, pos = 1, 0, 1
-- Globals, not locals: done() reads them from each thread with thread:get().
replied, empty, wrapped, marked = 0, 0, 0, 0

local function load(path)
   local lines = {}
   local file = assert(io.open(path, "r"))
   for line in file:lines() do
      local tab = line:find("\t", 1, true)
      if tab then
         local body = line:sub(tab + 1)
         local mark = false
         local tab2 = body:find("\t", 1, true)
         if tab2 then
            mark = body:sub(tab2 + 1) == "T"
            body = body:sub(1, tab2 - 1)
         end
         table.insert(lines, { line:sub(1, tab - 1), body, mark })
      end
   end
   file:close()
   return lines
end

function init(args)
   local path = args[1] or os.getenv("BENCH_REQUESTS")
   assert(path, "usage: wrk ... -s post.lua URL -- requests.tsv")
   local nthreads = tonumber(args[2] or "0")
   local lines = load(path)
   assert(#lines > 0, "no requests in " .. path)
   local headers = { ["Content-Type"] = "text/xml" }
   -- Format every request once here, so request() costs nothing while measuring.
   for i, entry in ipairs(lines) do
      requests[i] = wrk.format("POST", entry[1], headers, entry[2])
      marks[i] = entry[3]
   end
   if nthreads > 0 and #requests >= nthreads then
      local size = math.floor(#requests / nthreads)
      first = id * size + 1
      last = first + size - 1
   else
      first, last = 1, #requests
   end
   pos = first
end

function request()
   if pos > last then
      -- From here on MsgIds repeat and the server answers from its dedupe cache.
      pos = first
      wrapped = wrapped + 1
   end
   local r = requests[pos]
   if marks[pos] then
      marked = marked + 1
   end
   pos = pos + 1
   return r
end

function response(status, headers, body)
   if status == 200 and body and body:find("<Encrypt>", 1, true) then
      replied = replied + 1
   else
      empty = empty + 1
   end
end

function done(summary, latency, requests)
   local total_replied, total_empty, total_wrapped, total_marked = 0, 0, 0, 0
   for _, thread in ipairs(threads) do
      total_replied = total_replied + (thread:get("replied") or 0)
      total_empty = total_empty + (thread:get("empty") or 0)
      total_wrapped = total_wrapped + (thread:get("wrapped") or 0)
      total_marked = total_marked + (thread:get("marked") or 0)
   end
   local errors = summary.errors
   local socket_errors = errors.connect + errors.read + errors.write + errors.timeout
   local seconds = summary.duration / 1e6
   io.write(string.format(
      "BENCH rps=%.1f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f requests=%d replied=%d empty=%d non2xx=%d errors=%d wrapped=%d marked=%d\n",
      summary.requests / seconds,
      latency:percentile(50) / 1000,
      latency:percentile(99) / 1000,
      latency.max / 1000,
      summary.requests, total_replied, total_empty, errors.status, socket_errors, total_wrapped,
      total_marked))
end
