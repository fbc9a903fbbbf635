# shellcheck shell=bash
# The product's own servers for the demo: mindy-api (axum) and the Next.js frontend, on the ports
# the product uses (8000, 3000). The tests start their own on free ports (frontend/scripts/e2e.sh).

FRONTEND="$STACK_ROOT/frontend"

api_up() {
  local bin="$CARGO_TARGET_DIR/debug/mindy-api" pid
  build_wait
  if is_running api; then
    # A mindy-api started before the last build is restarted, so the demo asks the code it built.
    pid=$(service_pid api)
    if [[ -f $bin ]] && (($(date +%s) - $(stat -c %Y "$bin") < $(ps -o etimes= -p "$pid" 2>/dev/null || echo 0))); then
      log "mindy-api was built again since it started: restarting it"
      ctl stop api >/dev/null 2>&1 || true
    else
      ok "mindy-api already running"; return 0
    fi
  fi
  require_free_port api "$API_PORT"
  # shellcheck disable=SC1091
  source "$STACK_STATE/env"
  export MINDY_API_TOKEN MINDY_API_ADDR="127.0.0.1:$API_PORT" MINDY_CORS_ORIGIN="http://127.0.0.1:$WEB_PORT" \
    MINDY_LOG_FORMAT=text
  MINDY_API_TOKEN=$(secret api-token)
  supervise api "$STACK_ROOT" "$(env_file_names) MINDY_API_* MINDY_CORS_ORIGIN MINDY_LOG* OPENAI_* RUST_LOG" \
    "$bin"
  wait_until api 60 curl -fsS "http://127.0.0.1:$API_PORT/api/health"
  ok "mindy-api ready on http://127.0.0.1:$API_PORT (token in .stack/secrets/api-token)"
}

# Asks the running mindy-api one question (in conversation $2 when given) and prints the answer
# (the README's demo scenes). The whole reply is kept in $API_REPLY for the caller.
API_REPLY=""
api_ask() {
  local question=$1 conversation=${2:-} body
  body=$(jq -cn --arg m "$question" --arg c "$conversation" \
    '{message: $m} + (if $c == "" then {} else {conversation_id: $c} end)')
  printf '\n\033[1m» %s\033[0m\n' "$question"
  if API_REPLY=$(curl -fsS -H "authorization: Bearer $(secret api-token)" -H 'content-type: application/json' \
    -d "$body" "http://127.0.0.1:$API_PORT/api/chat"); then
    jq -r '.answer' <<<"$API_REPLY"
  else
    API_REPLY=""
    warn "mindy-api did not answer \"$question\" (see $STACK_LOGS/api.log)"
  fi
}

# A stamp of the frontend's sources: a build is reused while they are unchanged.
web_sources_stamp() {
  (cd "$FRONTEND" && find . -path ./node_modules -prune -o -path ./.next -prune -o -path ./test-results -prune \
    -o -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
}

# npm ci when package-lock.json changed since the last install; prints npm's output, for a log.
web_packages() {
  if [[ -f $FRONTEND/node_modules/.package-lock.json && ! $FRONTEND/package-lock.json -nt $FRONTEND/node_modules/.package-lock.json ]]; then
    return 0
  fi
  echo "npm ci"
  (cd "$FRONTEND" && npm ci --no-audit --no-fund)
}

# The production build, unless .next holds one of the same sources; prints its output, for a log.
web_build() {
  web_packages || return 1
  local stamp; stamp=$(web_sources_stamp)
  if [[ -f $FRONTEND/.next/BUILD_ID && -f $FRONTEND/.next/.mindy-sources && $(cat "$FRONTEND/.next/.mindy-sources") == "$stamp" ]]; then
    echo "frontend build is current ($stamp)"
    return 0
  fi
  echo "next build"
  (cd "$FRONTEND" && NEXT_TELEMETRY_DISABLED=1 node node_modules/next/dist/bin/next build) || return 1
  echo "$stamp" >"$FRONTEND/.next/.mindy-sources"
}

# web_build_start: build the frontend in the background (the demo starts it early).
web_build_start() {
  ensure_node
  bg_start web-build "$STACK_LOGS/web-build.log" web_build
}

web_up() {
  if is_running web; then ok "frontend already running"; return 0; fi
  require_free_port web "$WEB_PORT"
  web_build_start
  bg_wait web-build "building the frontend (npm ci, next build)" \
    || die "frontend build failed; see $STACK_LOGS/web-build.log"
  export MINDY_API_URL="http://127.0.0.1:$API_PORT" MINDY_AIRFLOW_UI_URL="http://127.0.0.1:$AIRFLOW_PORT" \
    NEXT_TELEMETRY_DISABLED=1 MINDY_API_TOKEN
  MINDY_API_TOKEN=$(secret api-token)
  supervise web "$FRONTEND" "MINDY_API_URL MINDY_API_TOKEN MINDY_AIRFLOW_UI_URL NEXT_TELEMETRY_DISABLED" \
    node node_modules/next/dist/bin/next start --hostname 127.0.0.1 --port "$WEB_PORT"
  wait_until web 90 curl -fsS -o /dev/null "http://127.0.0.1:$WEB_PORT/"
  ok "frontend ready on http://127.0.0.1:$WEB_PORT"
}

app_down() {
  stop web
  stop api
}
