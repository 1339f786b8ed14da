-- wrk script for the analytics scenarios: about 100 requests per second from 48 connections,
-- each waiting an exponential think time (mean 480 ms) between requests, so the load barely
-- depends on how fast the backends answer. Every request asks the test upstream for 0-5 ms of
-- jitter (on top of any fault the test injects), and every 5th has it close the upstream
-- connection after answering, so new handshakes happen every second.
-- Usage: wrk -t2 -c48 -d60s -s analytics_load.lua URL -- [PATH]
local path = "/"
local counter = 0

function init(args)
  if args[1] ~= nil then
    path = args[1]
  end
  math.randomseed(os.time() + counter)
end

function request()
  counter = counter + 1
  local headers = {}
  headers["X-Upstream-Jitter-Ms"] = "5"
  if counter % 5 == 0 then
    headers["X-Upstream-Close-After"] = "1"
  end
  return wrk.format("GET", path, headers)
end

function delay()
  local think = -480 * math.log(1 - math.random())
  if think < 5 then
    think = 5
  end
  if think > 2000 then
    think = 2000
  end
  return math.floor(think)
end
