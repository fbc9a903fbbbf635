#!/usr/bin/env bash
# End-to-end tests of the frontend in a real browser against the running stack.
#
#   frontend/scripts/e2e.sh [playwright args...]      e.g. frontend/scripts/e2e.sh e2e/chat.spec.ts
#
# Needs: the local stack up (`./stack up`; its env is read from .stack/env unless DATABASE_URL is already set),
# node + npm, cargo, psql, Debian's Chromium (/usr/bin/chromium, or MINDY_CHROMIUM).
#
# It builds and starts mindy-api and the Next.js server on free ports, runs Playwright, writes
# docs/screenshots/chat.png and docs/screenshots/dashboard.png, and stops what it started on exit.
# Exit status: Playwright's (0 when every test passed); 2 when a prerequisite is missing.
#
# Data: with MINDY_E2E_DATA=auto (default) the tests use the stack's serving tables when the batch has filled
# them, or else a private database (mindy_e2e_<run>) migrated and seeded from scripts/e2e-seed.sql, dropped at the
# end. MINDY_E2E_DATA=stack or =seed forces one. Either way the tests compare the pages with the API's answers,
# never with fixed numbers. Kafka, the lake and Airflow are always the stack's own.
#
# Actions (issue 19): mindy-api runs them as MINDY_ACTOR_DATABASE_URL (rewritten to the private database like the
# reader's), sends mail to the stack's SMTP sink (MINDY_SMTP_HOST/MINDY_SMTP_PORT, default 127.0.0.1:2525) and
# writes events to a calendar file of its own run ($work/mini-mindy.ics, dropped at the end).
#
# Other knobs: MINDY_E2E_SKIP_BUILD=1 reuses the last builds (target/ and .next/), =web only the frontend's (after
# `npm run build`; mindy-api is still built, a no-op when it is current); MINDY_E2E_KEEP_LOGS=1 keeps the
# servers' logs; OPENAI_API_KEY is ignored unless MINDY_E2E_OPENAI=1 (the embedded parser answers the same way
# every time).

set -euo pipefail

frontend="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
repo="$(cd "$frontend/.." && pwd)"
run_id="$(date +%s)_$$"
work="$(mktemp -d "${TMPDIR:-/tmp}/mindy-e2e.XXXXXX")"
pids=()
private_db=""
redis_prefix="mindy:e2e:${run_id}:"

log() { printf 'e2e: %s\n' "$*" >&2; }
die() {
  log "$*"
  exit 2
}

# ---------------------------------------------------------------- cleanup (runs on every exit)
cleanup() {
  local status=$?
  set +e
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    kill -9 "$pid" 2>/dev/null
  done
  if [[ -n "$private_db" ]]; then
    psql "$DATABASE_URL" -q -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS \"$private_db\" WITH (FORCE)" >/dev/null ||
      log "could not drop database $private_db"
  fi
  if command -v redis-cli >/dev/null && [[ -n "${REDIS_URL:-}" ]]; then
    redis-cli -u "$REDIS_URL" --scan --pattern "${redis_prefix}*" 2>/dev/null |
      xargs -r redis-cli -u "$REDIS_URL" del >/dev/null 2>&1
  fi
  if [[ $status -ne 0 || -n "${MINDY_E2E_KEEP_LOGS:-}" ]]; then
    for f in "$work"/*.log; do
      [[ -f "$f" ]] || continue
      log "---- last lines of $(basename "$f") (all in $work)"
      tail -n 30 "$f" >&2
    done
    # Playwright's verdict again, last, so a CI log's tail shows which specs failed.
    if [[ -s "$work/playwright.out" ]]; then
      log "---- Playwright's summary (its whole report is above the servers' logs)"
      grep -E '^\s+(✘|[0-9]+ (failed|flaky|passed|skipped))' "$work/playwright.out" >&2
    fi
  else
    rm -rf "$work"
  fi
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- prerequisites
if [[ -z "${DATABASE_URL:-}" ]]; then
  [[ -f "$repo/.stack/env" ]] || die "no .stack/env: start the stack first (./stack up)"
  # shellcheck source=/dev/null
  source "$repo/.stack/env"
fi
for var in DATABASE_URL MINDY_READER_DATABASE_URL REDIS_URL; do
  [[ -n "${!var:-}" ]] || die "$var is not set (source .stack/env)"
done
chromium="${MINDY_CHROMIUM:-/usr/bin/chromium}"
[[ -x "$chromium" ]] || die "no Chromium at $chromium (apt-get install -y chromium, or set MINDY_CHROMIUM)"
for tool in node npm cargo psql curl; do
  command -v "$tool" >/dev/null || die "$tool is not installed"
done
psql "$DATABASE_URL" -q -c "SELECT 1" >/dev/null || die "PostgreSQL at DATABASE_URL does not answer: is the stack up?"

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

wait_http() { # url, seconds, what
  local deadline=$((SECONDS + $2))
  until curl -s -o /dev/null --max-time 2 "$1"; do
    ((SECONDS < deadline)) || die "$3 did not answer on $1 within $2 s"
    for pid in "${pids[@]}"; do
      kill -0 "$pid" 2>/dev/null || die "$3 exited before answering"
    done
    sleep 0.5
  done
}

# ---------------------------------------------------------------- data
mode="${MINDY_E2E_DATA:-auto}"
if [[ "$mode" == auto ]]; then
  rows="$(psql "$DATABASE_URL" -Atq -c "SELECT count(*) FROM daily_insights" 2>/dev/null || echo 0)"
  if [[ "$rows" -gt 0 ]]; then mode=stack; else mode=seed; fi
fi
reader_url="$MINDY_READER_DATABASE_URL"
# Actions (issue 19) run as the stack's mindy_actor role when it has one; without it the API answers action
# requests with how to turn them on, and the actions spec fails saying so.
actor_url="${MINDY_ACTOR_DATABASE_URL:-}"
case "$mode" in
  stack)
    log "data: the stack's serving tables"
    ;;
  seed)
    private_db="mindy_e2e_${run_id}"
    log "data: private database $private_db (seeded from scripts/e2e-seed.sql)"
    with_db() { node -e 'const u=new URL(process.argv[1]);u.pathname="/"+process.argv[2];console.log(u.href)' "$1" "$2"; }
    psql "$DATABASE_URL" -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$private_db\"" >/dev/null
    owner_url="$(with_db "$DATABASE_URL" "$private_db")"
    # Migrated and granted as the pipeline does: `mindy db migrate` also gives the chat's
    # read-only role SELECT on every chat table (plain psql -f of the migrations does not).
    mindy_bin="${MINDY_BIN:-${CARGO_TARGET_DIR:-$HOME/.cache/mini-mindy/target}/debug/mindy}"
    [[ -x "$mindy_bin" ]] || die "no $mindy_bin: run ./stack up first (it builds mindy)"
    "$mindy_bin" db migrate --database-url "$owner_url" >/dev/null 2>"$work/migrate.log" \
      || die "mindy db migrate failed: $(cat "$work/migrate.log")"
    today="$(TZ="${USER_TIMEZONE:-UTC}" date +%F)"
    psql "$owner_url" -q -v ON_ERROR_STOP=1 -v today="$today" -v tz="${USER_TIMEZONE:-UTC}" \
      -f "$frontend/scripts/e2e-seed.sql" >/dev/null
    reader_url="$(with_db "$MINDY_READER_DATABASE_URL" "$private_db")"
    [[ -z "$actor_url" ]] || actor_url="$(with_db "$actor_url" "$private_db")"
    ;;
  *) die "MINDY_E2E_DATA must be auto, stack or seed (not $mode)" ;;
esac

# ---------------------------------------------------------------- build
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/mini-mindy/target}"
cd "$frontend"
skip_build="${MINDY_E2E_SKIP_BUILD:-}"
if [[ -z "$skip_build" || "$skip_build" == web ]]; then
  log "building mindy-api"
  (cd "$repo" && cargo build -q -p mindy-api)
fi
if [[ -z "$skip_build" ]]; then
  if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
    log "npm ci"
    npm ci --no-audit --no-fund >"$work/npm-ci.log" 2>&1
  fi
  log "building the frontend"
  NEXT_TELEMETRY_DISABLED=1 node node_modules/next/dist/bin/next build >"$work/next-build.log" 2>&1
fi
api_bin="$CARGO_TARGET_DIR/debug/mindy-api"
[[ -x "$api_bin" ]] || die "no $api_bin: run without MINDY_E2E_SKIP_BUILD"
[[ -f .next/BUILD_ID ]] || die "no frontend build: run without MINDY_E2E_SKIP_BUILD"

# ---------------------------------------------------------------- start
api_port="$(free_port)"
web_port="$(free_port)"
token="e2e-$(node -e 'console.log(require("crypto").randomBytes(18).toString("hex"))')"
api_url="http://127.0.0.1:$api_port"
web_url="http://127.0.0.1:$web_port"

openai=()
[[ -n "${MINDY_E2E_OPENAI:-}" ]] || openai=(-u OPENAI_API_KEY)
env "${openai[@]}" \
  MINDY_API_TOKEN="$token" MINDY_API_ADDR="127.0.0.1:$api_port" MINDY_CORS_ORIGIN="$web_url" \
  MINDY_READER_DATABASE_URL="$reader_url" MINDY_API_REDIS_PREFIX="$redis_prefix" \
  MINDY_API_RATE_LIMIT_PER_MINUTE=0 MINDY_API_CACHE_TTL_SECS=900 MINDY_LOG_FORMAT=text \
  MINDY_ACTOR_DATABASE_URL="$actor_url" MINDY_LOCAL_CALENDAR="$work/mini-mindy.ics" \
  MINDY_SMTP_HOST="${MINDY_SMTP_HOST:-127.0.0.1}" MINDY_SMTP_PORT="${MINDY_SMTP_PORT:-2525}" \
  "$api_bin" >"$work/mindy-api.log" 2>&1 &
pids+=($!)
log "mindy-api on $api_url (pid $!)"
# Any answer from a route that asks no other service (health waits on Kafka, Spark and Airflow, and takes longer
# than curl's 2 s when one of them is down, which the chat specs do not need).
wait_http "$api_url/api/openapi.json" 60 "mindy-api"

MINDY_API_URL="$api_url" MINDY_API_TOKEN="$token" MINDY_AIRFLOW_UI_URL="${MINDY_AIRFLOW_URL:-http://localhost:8080}" \
  NEXT_TELEMETRY_DISABLED=1 NODE_ENV=production \
  node node_modules/next/dist/bin/next start --hostname 127.0.0.1 --port "$web_port" >"$work/next.log" 2>&1 &
pids+=($!)
log "Next.js on $web_url (pid $!)"
wait_http "$web_url/chat" 60 "the Next.js server"

# ---------------------------------------------------------------- test
screenshots="$repo/docs/screenshots"
mkdir -p "$screenshots"
log "running Playwright"
set +e
MINDY_E2E_BASE_URL="$web_url" MINDY_E2E_API_URL="$api_url" MINDY_API_TOKEN="$token" \
  MINDY_SCREENSHOT_DIR="$screenshots" MINDY_CHROMIUM="$chromium" \
  node node_modules/@playwright/test/cli.js test "$@" 2>&1 | tee "$work/playwright.out"
status=${PIPESTATUS[0]}
set -e
((status == 0)) && log "passed (the chat and dashboard specs write docs/screenshots/*.png)"
exit $status
