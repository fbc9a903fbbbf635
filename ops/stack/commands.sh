# shellcheck shell=bash
# The ./stack sub-commands. Components are in the sibling files; helpers in lib.sh.

ALL_SERVICES=(postgres redis kafka spark airflow mailsink)

# The lake of this stack: the checkout's datalake/ for the default stack, and the state dir's own
# for a stack elsewhere (MINDY_STACK_DIR), so two stacks never share tables or checkpoints.
lake_default() {
  if [[ $STACK_STATE == "$STACK_ROOT/.stack" ]]; then
    printf '%s' "$STACK_ROOT/datalake"
  else
    printf '%s' "$STACK_STATE/datalake"
  fi
}

# The environment that points programs and tests at this stack: the one place that knows ports.
write_env() {
  local env="$STACK_STATE/env"
  cat >"$env" <<ENV
# Written by ./stack up; source it to point mindy, mindy-api and the tests at the local stack.
export MINDY_KAFKA_BOOTSTRAP=127.0.0.1:$KAFKA_PORT
export MINDY_TOPIC_EMAILS=$TOPIC_EMAILS
export MINDY_TOPIC_PROCESSED=$TOPIC_PROCESSED
export MINDY_TOPIC_DLQ=$TOPIC_DLQ
export MINDY_TOPIC_CALENDAR=$TOPIC_CALENDAR
export MINDY_TOPIC_PROCESSED_CALENDAR=$TOPIC_PROCESSED_CALENDAR
export MINDY_TOPIC_CALENDAR_DLQ=$TOPIC_CALENDAR_DLQ
export MINDY_SPARK_REMOTE=sc://127.0.0.1:$SPARK_CONNECT_PORT
export MINDY_SPARK_MASTER_UI=http://127.0.0.1:$SPARK_MASTER_UI_PORT
export MINDY_SPARK_DRIVER_UI=http://127.0.0.1:$SPARK_CONNECT_UI_PORT
export MINDY_SPARK4_REMOTE=sc://127.0.0.1:$SPARK4_CONNECT_PORT
export MINDY_PYSPARK_PYTHON=$SPARK_VENV/bin/python
export DATABASE_URL=postgres://mindy:$(secret postgres-mindy)@127.0.0.1:$PG_PORT/mindy
export MINDY_READER_DATABASE_URL=postgres://mindy_reader:$(secret postgres-reader)@127.0.0.1:$PG_PORT/mindy
export MINDY_ACTOR_DATABASE_URL=postgres://mindy_actor:$(secret postgres-actor)@127.0.0.1:$PG_PORT/mindy
export REDIS_URL=redis://127.0.0.1:$REDIS_PORT
export MINDY_AIRFLOW_URL=http://127.0.0.1:$AIRFLOW_PORT
export MINDY_AIRFLOW_USERNAME=$AIRFLOW_USERNAME
export MINDY_AIRFLOW_PASSWORD=$(secret airflow-admin)
export MINDY_LAKE_ROOT=\${MINDY_LAKE_ROOT:-$(lake_default)}
export MINDY_BIN=$CARGO_TARGET_DIR/debug/mindy
export USER_TIMEZONE=\${USER_TIMEZONE:-UTC}
export MINDY_SMTP_HOST=127.0.0.1
export MINDY_SMTP_PORT=$SMTP_PORT
export MINDY_MAILSINK_DIR=$STACK_DATA/mail
export MINDY_LOCAL_CALENDAR=\${MINDY_LOCAL_CALENDAR:-$STACK_DATA/calendar/mini-mindy.ics}
export MINDY_LOCAL_CALENDAR_SOURCES=\${MINDY_LOCAL_CALENDAR_SOURCES:-$STACK_STATE/demo}
export MINDY_REPORT_TO=\${MINDY_REPORT_TO:-sarah@localhost}
ENV
  chmod 600 "$env"
}

# Apply the project's sqlx migrations with the pipeline binary (built into the shared target dir).
migrate() {
  ensure_apt protobuf-compiler libprotobuf-dev build-essential
  log "building mindy (cargo) and applying database migrations"
  (cd "$STACK_ROOT" && cargo build -q -p mindy-pipeline --bin mindy) \
    || die "cargo build -p mindy-pipeline failed"
  # shellcheck disable=SC1091
  (source "$STACK_STATE/env" && "$CARGO_TARGET_DIR/debug/mindy" db migrate) \
    || die "database migrations failed (DATABASE_URL in $STACK_STATE/env)"
}

cmd_up() {
  local services=("$@") start; start=$(now)
  ((${#services[@]})) || services=("${ALL_SERVICES[@]}")
  ensure_apt curl ca-certificates procps iproute2
  ensure_java17
  write_env
  local s
  for s in "${services[@]}"; do
    case $s in
      postgres) pg_up ;;
      redis) redis_up ;;
      kafka) kafka_up ;;
      spark) spark_up ;;
      spark4) spark4_up ;;
      airflow)
        is_running postgres || pg_up
        airflow_up ;;
      mailsink) mailsink_up ;;
      app)
        api_up
        web_up ;;
      *) die "unknown service '$s' (services: ${ALL_SERVICES[*]} app spark4)" ;;
    esac
  done
  if [[ " ${services[*]} " == *" postgres "* ]]; then migrate; fi
  ok "stack up in $(elapsed "$start") s — env: source $STACK_STATE/env"
}

cmd_down() {
  local services=("$@") s
  ((${#services[@]})) || services=(app mailsink airflow spark4 spark kafka redis postgres)
  for s in "${services[@]}"; do
    case $s in
      app) app_down ;;
      mailsink) mailsink_down ;;
      airflow) airflow_down ;;
      spark) spark_down ;;
      spark4) spark4_down ;;
      kafka) kafka_down ;;
      redis) redis_down ;;
      postgres) pg_down ;;
      *) die "unknown service '$s' (services: ${ALL_SERVICES[*]} app spark4)" ;;
    esac
  done
}

# name url pid rss
status_row() {
  local name=$1 url=$2 pf pid state rss="-"
  pf=$(pidfile "$name")
  if [[ -f $pf ]] && kill -0 "$(cat "$pf")" 2>/dev/null; then
    pid=$(cat "$pf"); state=up; rss="$(rss_of "$pid") MiB"
  else
    pid="-"; state=down
  fi
  printf '%-22s %-5s %-40s %-8s %s\n' "$name" "$state" "$url" "$pid" "$rss"
}

cmd_status() {
  printf '%-22s %-5s %-40s %-8s %s\n' SERVICE STATE URL PID RSS
  status_row postgres "postgres://127.0.0.1:$PG_PORT"
  status_row redis "redis://127.0.0.1:$REDIS_PORT"
  status_row kafka "127.0.0.1:$KAFKA_PORT (controller :$KAFKA_CONTROLLER_PORT)"
  status_row spark-master "spark://127.0.0.1:$SPARK_MASTER_PORT  ui :$SPARK_MASTER_UI_PORT"
  status_row spark-worker-1 "ui http://127.0.0.1:$SPARK_WORKER_UI_PORT"
  status_row spark-worker-2 "ui http://127.0.0.1:$((SPARK_WORKER_UI_PORT + 1))"
  status_row spark-connect "sc://127.0.0.1:$SPARK_CONNECT_PORT  ui :$SPARK_CONNECT_UI_PORT"
  status_row spark4-connect "sc://127.0.0.1:$SPARK4_CONNECT_PORT (Spark 4, tests only)"
  status_row airflow-api "http://127.0.0.1:$AIRFLOW_PORT"
  status_row airflow-scheduler "-"
  status_row airflow-dag-processor "-"
  status_row mailsink "smtp://127.0.0.1:$SMTP_PORT (Maildir .stack/data/mail)"
  status_row api "http://127.0.0.1:$API_PORT (demo only)"
  status_row web "http://127.0.0.1:$WEB_PORT (demo only)"
  local total=0 pf
  for pf in "$STACK_RUN"/*.pid; do
    [[ -f $pf ]] && kill -0 "$(cat "$pf")" 2>/dev/null && total=$((total + $(rss_of "$(cat "$pf")")))
  done
  printf 'total RSS: %s MiB\n' "$total"
}

cmd_logs() {
  if (($# == 0)); then ls -1 "$STACK_LOGS"; return; fi
  tail -n 100 -f "$(logfile "$1")"
}

cmd_env() { cat "$STACK_STATE/env"; }

# The whole test suite. The stack comes down even when a step fails.
cmd_test() {
  trap 'cmd_down' EXIT
  cmd_up
  # shellcheck disable=SC1091
  source "$STACK_STATE/env"
  cd "$STACK_ROOT"
  log "cargo fmt --check"
  cargo fmt --all --check
  log "cargo clippy"
  cargo clippy -q --workspace --all-targets -- -D warnings
  log "unit tests (need no service)"
  cargo test --workspace --lib --bins
  log "doc tests"
  cargo test --workspace --doc
  # spark-client's differential suite is one of them (its `differential` target prints a line
  # per plan and a summary): the same plans through PySpark's Connect client and spark-client.
  log "integration tests against the local stack, spark-client's differential suite among them"
  cargo test --workspace --test '*'
  log "examples/: spark-client used from a crate of its own, against the stack"
  (cd "$STACK_ROOT/examples" && cargo fmt --check && cargo clippy -q --locked --all-targets -- -D warnings \
    && cargo run -q --locked --bin batch_aggregation \
    && cargo run -q --locked --bin kafka_to_delta \
    && cargo run -q --locked --bin delta_to_arrow -- "$STACK_STATE/readings.arrow")
  log "spark-client's integration tests again, against a Spark $SPARK4_VERSION Connect server"
  spark4_up
  MINDY_SPARK_REMOTE=$MINDY_SPARK4_REMOTE cargo test -p spark-client --test integration
  spark4_down
  log "Airflow DAG integrity tests"
  (cd "$STACK_ROOT/airflow" && "$AIRFLOW_VENV/bin/python" -m pytest -q tests)
  log "frontend: npm ci, lint + type check + build, vitest"
  (cd "$STACK_ROOT/frontend" && npm ci --no-audit --no-fund && npm run build && npm test)
  log "frontend end to end: Playwright in Debian's Chromium against mindy-api and the stack"
  ensure_apt chromium chromium-driver
  # The Next.js build above is reused; e2e.sh still (re)builds mindy-api so it cannot be stale.
  MINDY_E2E_SKIP_BUILD=web "$STACK_ROOT/frontend/scripts/e2e.sh"
  ok "all tests passed"
}

# The main job end to end on the bundled demo mailbox: stack → demo mailbox → Kafka → validator
# → Spark Structured Streaming → Delta bronze/silver → Airflow's daily batch → gold → PostgreSQL.
cmd_demo() {
  cmd_up
  # shellcheck disable=SC1091
  source "$STACK_STATE/env"
  local yesterday
  yesterday=$(TZ=$USER_TIMEZONE date -d yesterday +%F)
  log "1/8 smoke: one round trip through every service"
  "$MINDY_BIN" smoke
  log "2/8 ingest: 30 days of the demo persona's mail → $MINDY_TOPIC_EMAILS (and her calendar)"
  mkdir -p "$STACK_STATE/demo"
  "$MINDY_BIN" ingest demo --calendar-out "$STACK_STATE/demo/calendar.ics"
  "$MINDY_BIN" ingest ics "$STACK_STATE/demo/calendar.ics"
  log "3/8 validate: $MINDY_TOPIC_EMAILS → $MINDY_TOPIC_PROCESSED (exactly once) + $MINDY_TOPIC_DLQ"
  "$MINDY_BIN" validate --until-idle --no-metrics
  log "4/8 stream: Spark Structured Streaming → Delta bronze + silver (available-now)"
  "$MINDY_BIN" stream --available-now
  log "5/8 enrich: email intelligence on Spark (roles, sentiment, urgency, action items, threads, patterns)"
  "$MINDY_BIN" enrich --available-now
  log "6/8 export: Delta → the PostgreSQL serving tables (change data feed)"
  "$MINDY_BIN" export
  log "7/8 batch: Airflow's daily_batch_dag for $yesterday → gold → PostgreSQL → report email"
  "$MINDY_BIN" airflow trigger daily_batch_dag --date "$yesterday"
  log "8/8 serve: mindy-api, the demo scenes in the chat (a reply sent and a call scheduled among them), and the chat UI"
  pg_psql -d mindy -c "SELECT date, total_emails, unique_senders, important_emails, busiest_hour FROM daily_insights ORDER BY date DESC LIMIT 3" -P footer=off -A -F ' | ' 2>/dev/null || true
  pg_psql -d mindy -c "SELECT to_char(sent_at, 'YYYY-MM-DD HH24:MI') AS sent, organization, sender_role, urgency_score, left(subject, 60) AS subject FROM email_insights WHERE urgent ORDER BY sent_at DESC LIMIT 5" -P footer=off -A -F ' | ' 2>/dev/null || true
  api_up
  log "the demo scenes, asked of the chat (its embedded engine; the SQL of each is in the UI)"
  local question
  for question in "Good morning! What do I need to know today?" \
    "Show me the urgent emails from Acme Corp" \
    "What's my busiest day this week?" \
    "Any patterns I should know about?" \
    "Who are the clients I'm meeting this week that also emailed me in the last 3 days?"; do
    api_ask "$question"
  done
  demo_actions
  demo_optimise
  web_up
  ok "demo done. Report email: $(ls -t "$STACK_DATA"/mail/new/* 2>/dev/null | head -1)"
  ok "Chat and dashboard: http://127.0.0.1:$WEB_PORT/chat   (API http://127.0.0.1:$API_PORT, token in .stack/secrets/api-token)"
  ok "Airflow UI: http://127.0.0.1:$AIRFLOW_PORT (admin / .stack/secrets/airflow-admin). The stack keeps running; ./stack down stops it."
}

# The demo's last scene: a reply drafted, confirmed ("send and schedule"), delivered to the
# mailsink threaded to Tom's email, and the call it scheduled carried back through the pipeline
# (the local calendar's .ics → Kafka → the stream → PostgreSQL) into the day's agenda.
demo_actions() {
  local conversation sent event_day day_word
  api_ask "Draft a response to Tom apologizing and offering a call at 11 AM and loop in Mike"
  conversation=$(jq -r '.conversation_id // empty' <<<"$API_REPLY")
  [[ -n $conversation && $(jq -r '.proposal.id // empty' <<<"$API_REPLY") ]] \
    || { warn "no proposal was drafted; skipping the actions scene"; return 0; }
  api_ask "Send and schedule" "$conversation"
  sent=$(jq -r '.proposal.results[0].external_id // empty' <<<"$API_REPLY")
  if [[ -n $sent ]]; then
    local file
    file=$(grep -l -F "Message-ID: <$sent>" "$STACK_DATA"/mail/new/* 2>/dev/null | head -1)
    [[ -n $file ]] && ok "the reply at the mailsink: $file ($(grep -m1 '^In-Reply-To:' "$file"))"
  fi
  event_day=$(jq -r '.proposal.actions[] | select(.kind == "create_event") | .starts_at' <<<"$API_REPLY" \
    | xargs -r -I{} env TZ="$USER_TIMEZONE" date -d {} +%F)
  [[ -n $event_day && -f $MINDY_LOCAL_CALENDAR ]] || return 0
  log "the new call through the pipeline: $MINDY_LOCAL_CALENDAR → Kafka → stream → PostgreSQL"
  "$MINDY_BIN" ingest ics "$MINDY_LOCAL_CALENDAR"
  "$MINDY_BIN" validate --until-idle --no-metrics
  "$MINDY_BIN" stream --available-now --records calendar
  "$MINDY_BIN" export
  day_word=today
  [[ $event_day == "$(TZ=$USER_TIMEZONE date +%F)" ]] || day_word=tomorrow
  api_ask "What's on my calendar $day_word?"
}

# "Yes, optimize it" after the busiest day: the plan (moves, a lunch block, travel buffers, with its
# figures), applied on "yes" — the moved meetings written into the persona's calendar file, the
# blocks into the local calendar — and carried back through the pipeline into that day's agenda.
demo_optimise() {
  local conversation day
  api_ask "What's my busiest day this week?"
  conversation=$(jq -r '.conversation_id // empty' <<<"$API_REPLY")
  [[ -n $conversation ]] || return 0
  api_ask "Yes, optimize it" "$conversation"
  [[ $(jq -r '.proposal.id // empty' <<<"$API_REPLY") ]] || { warn "no plan was proposed; skipping"; return 0; }
  day=$(jq -r '.proposal.actions[0].starts_at' <<<"$API_REPLY" | xargs -r -I{} env TZ="$USER_TIMEZONE" date -d {} +%F)
  api_ask "yes" "$conversation"
  [[ $(jq -r '.proposal.status // empty' <<<"$API_REPLY") == done ]] || return 0
  log "the plan through the pipeline: $STACK_STATE/demo/calendar.ics and $MINDY_LOCAL_CALENDAR → Kafka → stream → PostgreSQL"
  "$MINDY_BIN" ingest ics "$STACK_STATE/demo/calendar.ics" "$MINDY_LOCAL_CALENDAR"
  "$MINDY_BIN" validate --until-idle --no-metrics
  "$MINDY_BIN" stream --available-now --records calendar
  "$MINDY_BIN" export
  if [[ -n $day ]]; then api_ask "What's on my calendar on $day?"; fi
}

main() {
  local cmd=${1:-help}; shift || true
  case $cmd in
    up) cmd_up "$@" ;;
    down) cmd_down "$@" ;;
    status) cmd_status ;;
    logs) cmd_logs "$@" ;;
    env) cmd_env ;;
    test) cmd_test ;;
    demo) cmd_demo ;;
    help|-h|--help) sed -n '2,/^set -euo/p' "$STACK_ROOT/stack" | grep '^#' | sed 's/^# \{0,1\}//' ;;
    *) die "unknown command '$cmd'; try ./stack help" ;;
  esac
}
