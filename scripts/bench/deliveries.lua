-- wrk script: POST one signed webhook payload with a unique X-GitHub-Delivery
-- per request, and count the answers by status.
-- Environment: BENCH_BODY (file with the body), BENCH_SIGNATURE (header value),
-- BENCH_RUN (a prefix that keeps ids unique across runs).

local threads = {}
local counter = 0
local prefix = ""

local function read(path)
  local f = assert(io.open(path, "rb"))
  local data = f:read("*a")
  f:close()
  return data
end

local body = read(os.getenv("BENCH_BODY"))
local signature = os.getenv("BENCH_SIGNATURE")
local run = os.getenv("BENCH_RUN") or "run"

function setup(thread)
  thread:set("prefix", run .. "-t" .. #threads .. "-")
  table.insert(threads, thread)
end

function init(args)
  prefix = wrk.thread:get("prefix") or prefix
  ok, rejected, other = 0, 0, 0
end

function request()
  counter = counter + 1
  return wrk.format("POST", "/webhooks/github", {
    ["Content-Type"] = "application/json",
    ["X-GitHub-Event"] = "issues",
    ["X-GitHub-Delivery"] = prefix .. counter,
    ["X-Hub-Signature-256"] = signature,
    ["User-Agent"] = "GitHub-Hookshot/bench",
  }, body)
end

function response(status, headers, body)
  if status >= 200 and status < 300 then ok = ok + 1
  elseif status == 401 then rejected = rejected + 1
  else other = other + 1 end
end

function done(summary, latency, requests)
  local total_ok, total_rejected, total_other = 0, 0, 0
  for _, t in ipairs(threads) do
    total_ok = total_ok + t:get("ok")
    total_rejected = total_rejected + t:get("rejected")
    total_other = total_other + t:get("other")
  end
  io.write(string.format(
    "RESULT requests=%d duration_us=%d ok=%d rejected=%d other=%d errors=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.duration, total_ok, total_rejected, total_other,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
