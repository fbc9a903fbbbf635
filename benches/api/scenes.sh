#!/usr/bin/env bash
# Latency of the demo scenes through POST /api/chat with the embedded engine (issue 18's target:
# p50 <= 300 ms, p95 <= 1 s per scene answer on the demo data, the whole stack on the same cores).
#
#   ./stack demo && source .stack/env && benches/api/scenes.sh
#
# Starts its own mindy-api (release build) on a free port with the answer cache off
# (MINDY_API_CACHE_TTL_SECS=0), so every request parses, runs every query of the scene as the
# read-only role and words the answer. Asks each scene question MINDY_BENCH_REQUESTS times (default
# 50, one at a time, after 3 warm-up requests) and prints, per scene, the answer's queries, the
# rows and p50 / p95 / max of the wall time seen by curl, plus the server's own total_ms p50.
# MINDY_BENCH_PROFILE=dev uses a debug build.
set -euo pipefail

cd "$(dirname "$0")/../.."
: "${MINDY_READER_DATABASE_URL:?source .stack/env first (./stack demo fills the serving tables)}"
requests=${MINDY_BENCH_REQUESTS:-50}
profile=${MINDY_BENCH_PROFILE:-release}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/mini-mindy/target}
bin_dir=$([ "$profile" = dev ] && echo debug || echo "$profile")

cargo build --quiet -p mindy-api --profile "$profile"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
work=$(mktemp -d)
token=bench-$RANDOM$RANDOM
MINDY_API_ADDR=127.0.0.1:$port MINDY_API_TOKEN=$token MINDY_API_RATE_LIMIT_PER_MINUTE=0 \
  MINDY_API_CACHE_TTL_SECS=0 MINDY_API_REDIS_PREFIX="mindy:bench:$token:" MINDY_LOG=warn \
  MINDY_LOG_FORMAT=text OPENAI_API_KEY= \
  "$CARGO_TARGET_DIR/$bin_dir/mindy-api" >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/api/health" >/dev/null 2>&1 && break
  sleep 0.1
done

ask() {
  curl -sS -o "$work/reply.json" -w '%{time_total}\n' -H "authorization: Bearer $token" \
    -H 'content-type: application/json' -d "$(jq -cn --arg m "$1" '{message: $m}')" \
    "http://127.0.0.1:$port/api/chat"
}

printf 'demo scenes through POST /api/chat, embedded engine, cache off, %s requests each, %s build; %s; load %s\n\n' \
  "$requests" "$profile" "$(date -u '+%F %H:%M UTC')" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '| scene | queries | rows | p50 ms | p95 ms | max ms | server p50 ms |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n'
while IFS='|' read -r name question; do
  for _ in 1 2 3; do ask "$question" >/dev/null; done
  : >"$work/times" && : >"$work/server"
  for _ in $(seq 1 "$requests"); do
    ask "$question" >>"$work/times"
    jq -r '.timings.total_ms' "$work/reply.json" >>"$work/server"
  done
  jq -e '.refused == false' "$work/reply.json" >/dev/null \
    || { echo "$name was refused: $(jq -r .answer "$work/reply.json")" >&2; exit 1; }
  queries=$(jq '1 + (.sections | length)' "$work/reply.json")
  rows=$(jq '(.rows | length) + ([.sections[].rows | length] | add // 0)' "$work/reply.json")
  python3 - "$name" "$queries" "$rows" "$work/times" "$work/server" <<'PY'
import statistics, sys
name, queries, rows, times, server = sys.argv[1:]
t = sorted(float(x) * 1000 for x in open(times))
s = sorted(float(x) for x in open(server))
def pct(v, p):
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]
print(f"| {name} | {queries} | {rows} | {pct(t, 50):.1f} | {pct(t, 95):.1f} | {t[-1]:.1f} | {statistics.median(s):.1f} |")
PY
done <<'SCENES'
briefing|Good morning! What do I need to know today?
client threads|Show me the urgent emails from Acme Corp
busiest day|What's my busiest day this week?
patterns|Any patterns I should know about?
calendar x mail|Who are the clients I'm meeting this week that also emailed me in the last 3 days?
SCENES
