-- wrk script for bench/redirect-vs-nginx.sh: every request asks for a slug
-- drawn at random from the file named by $BENCH_SLUGS (one slug a line, as
-- written by bench/cmd/mklinks), with Host $BENCH_HOST when set. With
-- $BENCH_SEQUENTIAL=1 the slugs are requested in file order, round and
-- round instead (the warm-up: every link once, so that a server with a cache
-- is measured warm, as it runs in production). wrk counts
-- any answer other than 2xx/3xx under "Non-2xx or 3xx responses"; the script
-- that runs wrk treats that line as a failed run.

local slugs = {}
local sequential = os.getenv("BENCH_SEQUENTIAL") == "1"
local next_slug = 0

function init(args)
  local path = os.getenv("BENCH_SLUGS")
  if path == nil then
    error("BENCH_SLUGS is not set")
  end
  for line in io.lines(path) do
    slugs[#slugs + 1] = "/" .. line
  end
  if #slugs == 0 then
    error("no slugs in " .. path)
  end
  local host = os.getenv("BENCH_HOST")
  if host ~= nil and host ~= "" then
    wrk.headers["Host"] = host
  end
  math.randomseed(os.time())
end

function request()
  if sequential then
    next_slug = next_slug % #slugs + 1
    return wrk.format("GET", slugs[next_slug])
  end
  return wrk.format("GET", slugs[math.random(#slugs)])
end
