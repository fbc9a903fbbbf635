# shellcheck shell=bash
# The ./stack sub-commands. Components are in the sibling files; helpers in lib.sh, process
# supervision in supervisor.sh, the build in build.sh, Debian packages in packages.sh.

# Every process of the stack, in start order, as NAME:GROUP. `up`/`down` take groups or process
# names (`./stack down airflow-worker`); `status` lists them all.
STACK_PROCESSES=(postgres:postgres redis:redis kafka:kafka spark-master:spark spark-worker-1:spark
  spark-worker-2:spark spark-connect:spark spark4-connect:spark4 airflow-api:airflow
  airflow-scheduler:airflow airflow-dag-processor:airflow airflow-worker:airflow mailsink:mailsink prometheus:prometheus
  api:app web:app validator:pipeline stream:pipeline enrich:pipeline exporter:pipeline)
# What `up` starts when no service is named.
ALL_SERVICES=(postgres redis kafka spark airflow mailsink prometheus)

# The lake of this stack: the checkout's datalake/ for the default stack, and the state dir's own
# for a stack elsewhere (MINDY_STACK_DIR), so two stacks never share tables or checkpoints.
lake_default() {
  if [[ $STACK_STATE == "$STACK_ROOT/.stack" ]]; then
    printf '%s' "$STACK_ROOT/datalake"
  else
    printf '%s' "$STACK_STATE/datalake"
  fi
}

# group_of NAME: the group a process belongs to (a group is its own group).
group_of() {
  local entry
  for entry in "${STACK_PROCESSES[@]}"; do
    [[ $1 == "${entry%%:*}" || $1 == "${entry#*:}" ]] && { echo "${entry#*:}"; return 0; }
  done
  die "unknown service '$1' (groups: ${ALL_SERVICES[*]} spark4 app pipeline; or a process name from ./stack status)"
}

# processes_of GROUP: the processes of a group, in start order.
processes_of() {
  local entry
  for entry in "${STACK_PROCESSES[@]}"; do [[ ${entry#*:} == "$1" ]] && echo "${entry%%:*}"; done
}

# url_of NAME: where a process listens, for `status`.
url_of() {
  case $1 in
    postgres) echo "postgres://127.0.0.1:$PG_PORT" ;;
    redis) echo "redis://127.0.0.1:$REDIS_PORT (programs: db 1, Celery: db 0)" ;;
    kafka) echo "127.0.0.1:$KAFKA_PORT (controller :$KAFKA_CONTROLLER_PORT)" ;;
    spark-master) echo "spark://127.0.0.1:$SPARK_MASTER_PORT  ui :$SPARK_MASTER_UI_PORT" ;;
    spark-worker-1) echo "ui http://127.0.0.1:$SPARK_WORKER_UI_PORT" ;;
    spark-worker-2) echo "ui http://127.0.0.1:$((SPARK_WORKER_UI_PORT + 1))" ;;
    spark-connect) echo "sc://127.0.0.1:$SPARK_CONNECT_PORT  ui :$SPARK_CONNECT_UI_PORT" ;;
    spark4-connect) echo "sc://127.0.0.1:$SPARK4_CONNECT_PORT (Spark 4, tests only)" ;;
    airflow-api) echo "http://127.0.0.1:$AIRFLOW_PORT" ;;
    airflow-worker) echo "Celery worker $AIRFLOW_WORKER_NAME, queue default" ;;
    mailsink) echo "smtp://127.0.0.1:$SMTP_PORT (Maildir .stack/data/mail)" ;;
    prometheus) echo "http://127.0.0.1:$PROMETHEUS_PORT (targets /targets, alerts /alerts)" ;;
    api) echo "http://127.0.0.1:$API_PORT (demo)" ;;
    web) echo "http://127.0.0.1:$WEB_PORT (demo)" ;;
    validator) echo "emails/calendar topics → processed (metrics http://127.0.0.1:$VALIDATOR_METRICS_PORT/metrics)" ;;
    stream) echo "processed topics → Delta bronze/silver (continuous; metrics :$STREAM_METRICS_PORT)" ;;
    enrich) echo "bronze → email intelligence (continuous)" ;;
    exporter) echo "Delta → PostgreSQL serving tables (continuous; metrics :$EXPORTER_METRICS_PORT)" ;;
    *) echo "-" ;;
  esac
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
# Database 1: database 0 is the Celery broker's.
export REDIS_URL=redis://127.0.0.1:$REDIS_PORT/1
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
export MINDY_STACK=$STACK_ROOT/stack
# Where "./stack up api" serves mindy-api, and the stack's secrets (its token): for the tests that
# drive the stack's own processes.
export MINDY_STACK_API=http://127.0.0.1:$API_PORT
export MINDY_PROMETHEUS_URL=http://127.0.0.1:$PROMETHEUS_PORT
export MINDY_STACK_SECRETS=$STACK_STATE/secrets
ENV
  chmod 600 "$env"
}

# env_file_names: the names of the variables the env file sets.
env_file_names() { sed -n 's/^export \([A-Za-z_][A-Za-z0-9_]*\)=.*/\1/p' "$STACK_STATE/env" | tr '\n' ' '; }

# Apply the project's sqlx migrations with the pipeline binary (waits for the build).
migrate() {
  build_wait
  # shellcheck disable=SC1091
  (source "$STACK_STATE/env" && "$CARGO_TARGET_DIR/debug/mindy" db migrate >>"$STACK_LOGS/migrate.log" 2>&1) \
    || die "database migrations failed (DATABASE_URL in $STACK_STATE/env); see $STACK_LOGS/migrate.log"
  ok "database schema up to date"
}

# prefetch GROUP...: start the downloads the groups need (pip, Maven) in the background at once;
# each component waits for its own when it starts.
prefetch() {
  local g
  for g in "$@"; do
    case $g in
      spark) venv_ready "$SPARK_VENV" "${SPARK_REQUIREMENTS[@]}" \
        || bg_start spark-install "$STACK_LOGS/venv-pyspark.log" spark_download ;;
      # shellcheck disable=SC2086
      airflow|mailsink) venv_ready "$AIRFLOW_VENV" $AIRFLOW_REQUIREMENTS \
        || bg_start airflow-install "$STACK_LOGS/venv-airflow.log" airflow_download ;;
      kafka) [[ -f $KAFKA_LIBS/.complete ]] || bg_start kafka-install "$STACK_LOGS/kafka-install.log" kafka_download ;;
    esac
  done
}

# group_up GROUP: start a group's processes that are not running (and what the group needs).
group_up() {
  case $1 in
    postgres) pg_up ;;
    redis) redis_up ;;
    kafka) kafka_up ;;
    spark) spark_up ;;
    spark4) spark4_up ;;
    airflow)
      is_running postgres || pg_up
      is_running redis || redis_up
      airflow_up ;;
    mailsink) mailsink_up ;;
    prometheus) prometheus_up ;;
    app)
      api_up
      web_up ;;
    api) api_up ;;
    web) web_up ;;
    pipeline) pipeline_up ;;
  esac
}

cmd_up() {
  local start groups=() s g; start=$(now)
  (($#)) || set -- "${ALL_SERVICES[@]}"
  for s in "$@"; do
    # The app's two processes also start on their own (`./stack up api` builds no frontend).
    case $s in api|web) g=$s ;; *) g=$(group_of "$s") ;; esac
    [[ " ${groups[*]} " == *" $g "* ]] || groups+=("$g")
  done
  ensure_packages
  ensure_java17
  write_env
  # The build (for the migrations and the app) overlaps everything below.
  if [[ " ${groups[*]} " =~ \ (postgres|app|api|pipeline)\  ]]; then build_start; fi
  supervisor_up
  prefetch "${groups[@]}"
  for g in "${groups[@]}"; do group_up "$g"; done
  if [[ " ${groups[*]} " == *" postgres "* ]]; then migrate; fi
  ok "stack up in $(elapsed "$start") s — env: source $STACK_STATE/env"
}

cmd_down() {
  local names=() s g p
  if (($# == 0)); then
    pipeline_down; app_down; prometheus_down; mailsink_down; airflow_down; spark4_down; spark_down; kafka_down; redis_down; pg_down
    supervisor_down
    return 0
  fi
  for s in "$@"; do
    g=$(group_of "$s")
    if [[ $s == "$g" ]]; then
      # A whole group, in reverse start order.
      mapfile -t names < <(processes_of "$g" | tac)
      for p in "${names[@]}"; do stop "$p"; done
    else
      stop "$s"
    fi
  done
}

cmd_status() {
  local entry name info state pid rss url total=0
  printf '%-22s %-8s %-8s %-8s %-9s %s\n' SERVICE STATE PID RESTARTS RSS URL
  for entry in "${STACK_PROCESSES[@]}"; do
    name=${entry%%:*}
    info=$(service_info "$name"); state=${info% *}; pid=${info#* }
    [[ $state == MISSING ]] && state=-
    rss=-
    if [[ $pid != 0 ]]; then rss=$(tree_rss "$pid"); total=$((total + rss)); rss="$rss MiB"; else pid=-; fi
    printf '%-22s %-8s %-8s %-8s %-9s %s\n' "$name" "$state" "$pid" "$(restarts_of "$name")" "$rss" "$(url_of "$name")"
  done
  if supervisor_running; then
    printf 'supervisor: supervisord %s (socket %s, log %s)\n' "$SUPERVISOR_VERSION" "$SUPERVISOR_SOCK" "$SUPERVISOR_LOG"
  else
    printf 'supervisor: not running\n'
  fi
  printf 'total RSS: %s MiB\n' "$total"
}

cmd_logs() {
  if (($# == 0)); then ls -1 "$STACK_LOGS"; return; fi
  tail -n 100 -f "$(logfile "$1")"
}

cmd_env() { cat "$STACK_STATE/env"; }

# step LABEL CMD...: one step of `test`, its output as it comes, then a line with its duration.
step() {
  local label=$1 start; shift
  start=$(now)
  log "$label"
  "$@" || die "$label failed"
  ok "$label: passed in $(elapsed "$start") s"
}

# The whole test suite. The stack comes down even when a step fails.
cmd_test() {
  local start; start=$(now)
  trap 'bg_stop_all; cmd_down' EXIT
  ensure_packages test
  # The tests' own build: their feature set (dev-dependencies included) once, both binaries too.
  STACK_CARGO_BUILD=(test --workspace --no-run)
  cmd_up
  # The binaries are built: the tests' own ./stack calls (./stack up pipeline) use them as they are.
  export STACK_BUILT=1
  # shellcheck disable=SC1091
  source "$STACK_STATE/env"
  cd "$STACK_ROOT"
  step "cargo fmt --check" cargo fmt --all --check
  step "cargo clippy" cargo clippy -q --workspace --all-targets -- -D warnings
  step "supply chain: cargo deny (licences, bans, sources, RustSec advisories) and npm audit" test_audit
  step "unit tests (need no service)" cargo test -q --workspace --lib --bins
  step "doc tests" cargo test -q --workspace --doc
  # spark-client's differential suite is one of them (its `differential` target prints a line
  # per plan and a summary): the same plans through PySpark's Connect client and spark-client.
  step "integration tests against the local stack, spark-client's differential suite among them" \
    cargo test -q --workspace --test '*'
  step "stack operations: the Airflow worker stopped under a queued task" \
    cargo test -q -p mindy-pipeline --test batch -- --ignored a_task_queued_while_the_worker_is_down
  step "stack operations: Spark Connect restarted under a continuous stream" \
    cargo test -q -p mindy-pipeline --test stream -- --ignored a_continuous_stream_resubmits_its_queries
  # Prints its recovery times (the README's "Restarting services" table).
  step "stack operations: the restart matrix — Kafka, Spark, PostgreSQL, Redis and Airflow restarted in turn under the supervised pipeline and mindy-api, nothing lost" \
    cargo test -q -p mindy-pipeline --test restarts -- --ignored --nocapture
  step "examples/: spark-client used from a crate of its own, against the stack" test_examples
  step "spark-client's integration tests again, against a Spark $SPARK4_VERSION Connect server" test_spark4
  step "Airflow DAG integrity tests" bash -c 'cd "$1/airflow" && "$2/bin/python" -m pytest -q tests' _ "$STACK_ROOT" "$AIRFLOW_VENV"
  step "frontend: npm ci, lint + type check + build, vitest" \
    bash -c 'cd "$1/frontend" && npm ci --no-audit --no-fund && npm run build && npm test' _ "$STACK_ROOT"
  # The Next.js build above and mindy-api from the cargo build are reused. The data is the seed's
  # (the demo persona's mail, calendar and actions in a private database): the serving tables the
  # restart matrix filled hold its own mail, not the scenes the specs ask about.
  step "frontend end to end: Playwright in Debian's Chromium against mindy-api and the stack" \
    env MINDY_E2E_SKIP_BUILD=1 MINDY_E2E_DATA=seed "$STACK_ROOT/frontend/scripts/e2e.sh"
  ok "all tests passed in $(elapsed "$start") s"
}

test_examples() {
  (cd "$STACK_ROOT/examples" && cargo fmt --check && cargo clippy -q --locked --all-targets -- -D warnings \
    && cargo run -q --locked --bin batch_aggregation \
    && cargo run -q --locked --bin kafka_to_delta \
    && cargo run -q --locked --bin delta_to_arrow -- "$STACK_STATE/readings.arrow")
}

test_spark4() {
  spark4_up
  MINDY_SPARK_REMOTE=$MINDY_SPARK4_REMOTE cargo test -q -p spark-client --test integration
  spark4_down
}

# demo_step N NAME WHAT CMD...: one step of the demo. The command's log goes to
# .stack/logs/demo-N.log (a heartbeat line shows its last line while it runs); its result lines
# (stdout) and the step's duration are printed when it is done.
DEMO_STEPS=10
declare -A DEMO_STARTS=()
demo_step() {
  demo_step_start "$@"
  demo_step_wait "$1" "$2"
}

# demo_step_start N NAME WHAT CMD...: starts a step that runs beside the next ones (its inputs
# are ready and nothing they do needs it); demo_step_wait N NAME waits for it and prints it.
demo_step_start() {
  local n=$1 name=$2 what=$3 out logf; shift 3
  DEMO_STARTS[$n]=$(now); out="$STACK_LOGS/demo-$n.out"; logf="$STACK_LOGS/demo-$n.log"
  : >"$out"; : >"$logf"; rm -f "$out.end"
  log "$n/$DEMO_STEPS $name: $what"
  # The step's own end is written beside its output: a step run beside others is timed to
  # when it ended, not to when the demo came to wait for it.
  bg_start "demo-$n" "$logf" bash -c '"$@" >"$0"; status=$?; date +%s.%N >"$0.end"; exit "$status"' "$out" "$@"
}

demo_step_wait() {
  local n=$1 name=$2 out="$STACK_LOGS/demo-$1.out" logf="$STACK_LOGS/demo-$1.log"
  if ! bg_wait "demo-$n" "$n/$DEMO_STEPS $name"; then
    sed 's/^/      /' "$out" >&2
    tail -n 30 "$logf" >&2
    die "step $n/$DEMO_STEPS ($name) failed; its log: $logf"
  fi
  sed 's/^/      /' "$out" >&2
  ok "$n/$DEMO_STEPS $name: done in $(awk -v a="${DEMO_STARTS[$n]}" -v b="$(cat "$out.end" 2>/dev/null || now)" \
    'BEGIN { printf "%.1f", b - a }') s"
}

# The main job end to end on the bundled demo mailbox: stack → demo mailbox → Kafka → validator
# → Spark Structured Streaming → Delta bronze/silver → gold and PostgreSQL for every day of the
# mailbox → Airflow's daily batch → the chat. Steps that need only what is already in the lake
# run beside the next ones: the calendar (its topic, its own tables) beside the mail's stream
# and enrichment, the backfill (bronze only) beside the enrichment, and Airflow's daily run
# beside the export.
cmd_demo() {
  local start today first yesterday; start=$(now)
  cmd_up
  # The frontend builds while the pipeline runs.
  web_build_start
  # shellcheck disable=SC1091
  source "$STACK_STATE/env"
  today=$(TZ=$USER_TIMEZONE date +%F)
  yesterday=$(TZ=$USER_TIMEZONE date -d yesterday +%F)
  # `mindy ingest demo` writes 30 days of mail ending today.
  first=$(TZ=$USER_TIMEZONE date -d '29 days ago' +%F)
  mkdir -p "$STACK_STATE/demo"
  demo_step 1 smoke "one round trip through every service" "$MINDY_BIN" smoke
  demo_step 2 ingest "30 days of the demo persona's mail → $MINDY_TOPIC_EMAILS, and her calendar" \
    bash -c '"$1" ingest demo --calendar-out "$2" && "$1" ingest ics "$2"' _ "$MINDY_BIN" "$STACK_STATE/demo/calendar.ics"
  demo_step 3 validate "$MINDY_TOPIC_EMAILS → $MINDY_TOPIC_PROCESSED (exactly once) + $MINDY_TOPIC_DLQ" \
    "$MINDY_BIN" validate --until-idle --no-metrics
  demo_step_start 4 calendar "the calendar → Delta bronze (MERGE), silver and gold (available-now; beside steps 5–7)" \
    "$MINDY_BIN" stream --available-now --records calendar
  demo_step 5 stream "the mail: Spark Structured Streaming → Delta bronze + silver (available-now)" \
    "$MINDY_BIN" stream --available-now --records email
  demo_step_start 6 backfill "every day of the mailbox ($first..$today) → gold → PostgreSQL (beside step 7)" \
    "$MINDY_BIN" batch backfill --from "$first" --to "$today"
  demo_step 7 enrich "email intelligence on Spark (roles, sentiment, urgency, action items, threads, patterns)" \
    "$MINDY_BIN" enrich --available-now
  demo_step_wait 6 backfill
  demo_step_wait 4 calendar
  # Airflow's run (gold/daily_summary → the daily tables, the report) shares no table with the
  # export (the change data feed of the other tables), so they run side by side.
  demo_step_start 9 airflow "daily_batch_dag for $yesterday on the Celery worker → report email (beside step 8)" \
    "$MINDY_BIN" airflow trigger daily_batch_dag --date "$yesterday"
  demo_step 8 export "Delta → the PostgreSQL serving tables (change data feed)" \
    "$MINDY_BIN" export
  demo_step_wait 9 airflow
  local app_start; app_start=$(now)
  log "10/$DEMO_STEPS serve: mindy-api, the demo scenes in the chat (a reply sent and a call scheduled among them), and the chat UI"
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
  demo_carry_back
  web_up
  ok "10/$DEMO_STEPS serve: done in $(elapsed "$app_start") s"
  local report; report=$(ls -t "$STACK_DATA"/mail/new/* 2>/dev/null | head -1)
  ok "demo done in $(elapsed "$start") s. Report email: ${report:-none}"
  ok "Chat and dashboard: http://127.0.0.1:$WEB_PORT/chat   (API http://127.0.0.1:$API_PORT, token in .stack/secrets/api-token)"
  ok "Airflow UI: http://127.0.0.1:$AIRFLOW_PORT (admin / .stack/secrets/airflow-admin). The stack keeps running; ./stack down stops it."
}

# demo_quiet CMD...: one of the serve step's pipeline commands; its result lines are shown, its log
# (tracing, on stderr) goes to .stack/logs/demo-serve.log, whose end is shown when it fails.
demo_quiet() {
  local status=0
  "$@" 2>>"$STACK_LOGS/demo-serve.log" || status=$?
  ((status == 0)) || { tail -n 20 "$STACK_LOGS/demo-serve.log" >&2; return "$status"; }
}

# demo_calendar_round_trip FILE...: calendar files carried back through the pipeline (Kafka, the
# validator, the stream's calendar part, the export to PostgreSQL), quietly.
demo_calendar_round_trip() {
  demo_quiet "$MINDY_BIN" ingest ics "$@"
  demo_quiet "$MINDY_BIN" validate --until-idle --no-metrics
  demo_quiet "$MINDY_BIN" stream --available-now --records calendar
  demo_quiet "$MINDY_BIN" export
}

# What the last scenes changed in the calendars, carried back by demo_carry_back: the day of the
# call scheduled (demo_actions), the day optimised (demo_optimise).
DEMO_CALL_DAY=
DEMO_OPTIMISED_DAY=

# The demo's last scene: a reply drafted, confirmed ("send and schedule"), delivered to the
# mailsink threaded to Tom's email, and a call scheduled in the local calendar.
demo_actions() {
  local conversation sent
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
  DEMO_CALL_DAY=$(jq -r '.proposal.actions[] | select(.kind == "create_event") | .starts_at' <<<"$API_REPLY" \
    | xargs -r -I{} env TZ="$USER_TIMEZONE" date -d {} +%F)
}

# "Yes, optimize it" after the busiest day: the plan (moves, a lunch block, travel buffers, with its
# figures; the call just scheduled counted, though the pipeline has not carried it yet), applied
# on "yes" — the moved meetings written into the persona's calendar file, the blocks into the
# local calendar.
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
  DEMO_OPTIMISED_DAY=$day
}

# The call and the plan carried back through the pipeline at once (the calendar files → Kafka →
# the stream → PostgreSQL), then each changed day's agenda asked of the chat.
demo_carry_back() {
  local files=() day_word
  [[ -n $DEMO_OPTIMISED_DAY ]] && files+=("$STACK_STATE/demo/calendar.ics")
  [[ -f $MINDY_LOCAL_CALENDAR ]] && files+=("$MINDY_LOCAL_CALENDAR")
  [[ -n $DEMO_CALL_DAY || -n $DEMO_OPTIMISED_DAY ]] && ((${#files[@]})) || return 0
  log "the call and the plan through the pipeline: ${files[*]} → Kafka → stream → PostgreSQL"
  demo_calendar_round_trip "${files[@]}"
  if [[ -n $DEMO_CALL_DAY ]]; then
    day_word=today
    [[ $DEMO_CALL_DAY == "$(TZ=$USER_TIMEZONE date +%F)" ]] || day_word=tomorrow
    api_ask "What's on my calendar $day_word?"
  fi
  if [[ -n $DEMO_OPTIMISED_DAY && $DEMO_OPTIMISED_DAY != "$DEMO_CALL_DAY" ]]; then
    api_ask "What's on my calendar on $DEMO_OPTIMISED_DAY?"
  fi
}

main() {
  local cmd=${1:-help}; shift || true
  trap 'bg_stop_all' EXIT
  case $cmd in
    up) cmd_up "$@" ;;
    down) cmd_down "$@" ;;
    status) cmd_status ;;
    logs) cmd_logs "$@" ;;
    env) cmd_env ;;
    test) cmd_test ;;
    demo) cmd_demo ;;
    supervisor) supervisor_up && ctl "$@" ;;
    help|-h|--help) sed -n '2,/^set -euo/p' "$STACK_ROOT/stack" | grep '^#' | sed 's/^# \{0,1\}//' ;;
    *) die "unknown command '$cmd'; try ./stack help" ;;
  esac
}
