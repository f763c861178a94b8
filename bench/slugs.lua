-- wrk script for bench/redirect-vs-nginx.sh: every request asks for a slug
-- drawn at random from the file named by $BENCH_SLUGS (one slug a line, as
-- written by bench/cmd/mklinks), with Host $BENCH_HOST when set. wrk counts
-- any answer other than 2xx/3xx under "Non-2xx or 3xx responses"; the script
-- that runs wrk treats that line as a failed run.

local slugs = {}

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
  return wrk.format("GET", slugs[math.random(#slugs)])
end
