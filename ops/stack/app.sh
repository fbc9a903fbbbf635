# shellcheck shell=bash
# The product's own servers for the demo: mindy-api (axum) and the Next.js frontend, on the ports
# the product uses (8000, 3000). The tests start their own on free ports (frontend/scripts/e2e.sh).

api_up() {
  if is_running api; then ok "mindy-api already running"; return 0; fi
  require_free_port api "$API_PORT"
  log "building mindy-api"
  (cd "$STACK_ROOT" && cargo build -q -p mindy-api) || die "cargo build -p mindy-api failed"
  # shellcheck disable=SC1091
  (source "$STACK_STATE/env" && MINDY_API_TOKEN=$(secret api-token) MINDY_API_ADDR="127.0.0.1:$API_PORT" \
    MINDY_CORS_ORIGIN="http://127.0.0.1:$WEB_PORT" MINDY_LOG_FORMAT=text \
    spawn api "$CARGO_TARGET_DIR/debug/mindy-api")
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

web_up() {
  if is_running web; then ok "frontend already running"; return 0; fi
  require_free_port web "$WEB_PORT"
  command -v npm >/dev/null || die "npm not found: the frontend needs Node.js 20"
  local fe="$STACK_ROOT/frontend"
  : >"$STACK_LOGS/web-build.log"
  if [[ ! -f $fe/node_modules/.package-lock.json || $fe/package-lock.json -nt $fe/node_modules/.package-lock.json ]]; then
    log "installing the frontend's packages (npm ci)"
    (cd "$fe" && npm ci --no-audit --no-fund >>"$STACK_LOGS/web-build.log" 2>&1) \
      || die "npm ci failed; see $STACK_LOGS/web-build.log"
  fi
  log "building the frontend (next build)"
  (cd "$fe" && NEXT_TELEMETRY_DISABLED=1 node node_modules/next/dist/bin/next build >>"$STACK_LOGS/web-build.log" 2>&1) \
    || die "frontend build failed; see $STACK_LOGS/web-build.log"
  (cd "$STACK_ROOT/frontend" && MINDY_API_URL="http://127.0.0.1:$API_PORT" MINDY_API_TOKEN=$(secret api-token) \
    MINDY_AIRFLOW_UI_URL="http://127.0.0.1:$AIRFLOW_PORT" \
    NEXT_TELEMETRY_DISABLED=1 spawn web node node_modules/next/dist/bin/next start --hostname 127.0.0.1 --port "$WEB_PORT")
  wait_until web 90 curl -fsS -o /dev/null "http://127.0.0.1:$WEB_PORT/"
  ok "frontend ready on http://127.0.0.1:$WEB_PORT"
}

app_down() {
  stop web
  stop api
}
