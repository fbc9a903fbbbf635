#!/usr/bin/env bash
# Load test of POST /api/chat with the embedded (semantic) generator, using wrk.
#
#   ./stack up && source .stack/env && benches/api/load.sh
#
# Starts its own mindy-api on a free local port (rate limit off, a fresh Redis key prefix so the
# cache starts empty), then runs two wrk passes and prints requests/s, p50 and p99:
#   cached:   one question over and over (every request after the first is an answer-cache hit)
#   uncached: four question shapes ("How many emails did I receive N days ago?", top sender,
#             busiest hour, important emails) with N never repeating, so every request parses,
#             validates, runs its SQL on PostgreSQL and writes the cache.
# Knobs: MINDY_BENCH_DURATION (default 10s), MINDY_BENCH_CONNECTIONS (16), MINDY_BENCH_THREADS (2),
# MINDY_BENCH_PROFILE (release; "dev" for a quick debug build). Needs wrk (apt-get install wrk).
set -euo pipefail

cd "$(dirname "$0")/../.."
: "${MINDY_READER_DATABASE_URL:?source .stack/env first (./stack up)}"
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install wrk" >&2; exit 1; }

duration=${MINDY_BENCH_DURATION:-10s}
connections=${MINDY_BENCH_CONNECTIONS:-16}
threads=${MINDY_BENCH_THREADS:-2}
profile=${MINDY_BENCH_PROFILE:-release}
# The stack's shared target dir, for cargo as well as for the path of the binary below.
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/mini-mindy/target}
target_dir=$CARGO_TARGET_DIR
bin_dir=$([ "$profile" = dev ] && echo debug || echo "$profile")

cargo build --quiet -p mindy-api --profile "$profile"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
work=$(mktemp -d)
token=bench-$RANDOM$RANDOM

MINDY_API_ADDR=127.0.0.1:$port MINDY_API_TOKEN=$token MINDY_API_RATE_LIMIT_PER_MINUTE=0 MINDY_API_CACHE_TTL_SECS=300 \
  MINDY_API_REDIS_PREFIX="mindy:bench:$token:" MINDY_LOG=warn MINDY_LOG_FORMAT=text OPENAI_API_KEY= \
  "$target_dir/$bin_dir/mindy-api" >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT

for _ in $(seq 1 100); do
  curl -s -o /dev/null "http://127.0.0.1:$port/api/health" && break
  kill -0 $server 2>/dev/null || { cat "$work/server.log"; exit 1; }
  sleep 0.1
done

cat >"$work/cached.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $token"
wrk.body = '{"message":"How many emails did I receive yesterday?"}'
LUA

cat >"$work/uncached.lua" <<LUA
local counter = 0
local threads = {}
local templates = {
  "How many emails did I receive %d days ago?",
  "Which sender sent me the most emails %d days ago?",
  "What was the busiest hour %d days ago?",
  "How many important emails %d days ago?",
}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
function request()
  counter = counter + 1
  -- 4 shapes x 36500 days x a per-thread offset: no question repeats within a run.
  local n = (math.floor(counter / 4) * 8 + id) % 36500 + 1
  local body = string.format('{"message":"' .. templates[counter % 4 + 1] .. '"}', n)
  return wrk.format("POST", nil, {["Content-Type"] = "application/json", ["Authorization"] = "Bearer $token"}, body)
end
LUA

run() {
  local name=$1 script=$2
  local out
  out=$(wrk -t"$threads" -c"$connections" -d"$duration" --latency -s "$script" "http://127.0.0.1:$port/api/chat")
  local rps p50 p99 errors
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  printf '%-9s %10s req/s   p50 %9s   p99 %9s   non-2xx %s\n' "$name" "$rps" "$p50" "$p99" "${errors:-0}"
}

echo "mindy-api ($profile build), wrk -t$threads -c$connections -d$duration, semantic generator"
# Warm the cached question once so the cached pass measures hits only.
curl -s -o /dev/null -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -d '{"message":"How many emails did I receive yesterday?"}' "http://127.0.0.1:$port/api/chat"
run cached "$work/cached.lua"
run uncached "$work/uncached.lua"
