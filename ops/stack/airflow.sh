# shellcheck shell=bash
# Airflow 3 as separate components (not `airflow standalone`, which forks 32 workers and binds
# 0.0.0.0): api-server, scheduler, dag-processor and one Celery worker, with PostgreSQL as the
# metadata database and result backend, Redis (database 0) as the Celery broker, and the
# project's airflow/dags as the DAG folder. The settings both this stack and docker/ use are in
# ops/airflow/airflow.env.
#
# Only the worker runs tasks, so only the worker gets the pipeline's settings (.stack/env: the
# `mindy` binary, the lake, Spark, Kafka, PostgreSQL); the other components get Airflow's own.
# A second worker on another machine joins the same way (see the README's "Airflow workers").

AIRFLOW_VERSION=$(sed -n 's/^apache-airflow==//p' "$STACK_OPS/airflow/requirements.txt")
# Keyed by the requirements, so changing them makes a new venv instead of changing one in use.
AIRFLOW_VENV="$STACK_CACHE/venvs/airflow-$AIRFLOW_VERSION-$(sha256sum "$STACK_OPS/airflow/requirements.txt" | cut -c1-8)"
AIRFLOW_REQUIREMENTS=$(grep -v '^#' "$STACK_OPS/airflow/requirements.txt" | tr '\n' ' ')
AIRFLOW_WORKER_NAME=mindy-worker-1

airflow_download() {
  # shellcheck disable=SC2086
  ensure_venv "$AIRFLOW_VENV" $AIRFLOW_REQUIREMENTS
}

airflow_install() {
  # shellcheck disable=SC2086
  venv_ready "$AIRFLOW_VENV" $AIRFLOW_REQUIREMENTS && return 0
  bg_start airflow-install "$STACK_LOGS/venv-airflow.log" airflow_download
  bg_wait airflow-install "installing Airflow $AIRFLOW_VERSION (uv)" \
    || die "installing Airflow failed; see $STACK_LOGS/venv-airflow.log"
}

# The environment every Airflow component shares.
airflow_env() {
  set -a
  # shellcheck disable=SC1091
  source "$STACK_OPS/airflow/airflow.env"
  set +a
  # STACK_AIRFLOW_EXECUTOR=LocalExecutor: the scheduler runs the tasks itself, with no Celery
  # worker (a smaller stack; and how the DAG run's time with Celery was compared).
  export AIRFLOW__CORE__EXECUTOR=${STACK_AIRFLOW_EXECUTOR:-$AIRFLOW__CORE__EXECUTOR}
  export AIRFLOW_HOME="$STACK_DATA/airflow"
  export AIRFLOW__CORE__DAGS_FOLDER="$STACK_ROOT/airflow/dags"
  export AIRFLOW__CORE__EXECUTION_API_SERVER_URL="http://127.0.0.1:$AIRFLOW_PORT/execution/"
  export AIRFLOW__CORE__AUTH_MANAGER=airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager
  export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS="$AIRFLOW_USERNAME:admin"
  export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE="$AIRFLOW_HOME/passwords.json"
  export AIRFLOW__API_AUTH__JWT_SECRET; AIRFLOW__API_AUTH__JWT_SECRET=$(secret airflow-jwt)
  export AIRFLOW__API__SECRET_KEY; AIRFLOW__API__SECRET_KEY=$(secret airflow-api)
  export AIRFLOW__API__BASE_URL="http://127.0.0.1:$AIRFLOW_PORT"
  local db="airflow:$(secret postgres-airflow)@127.0.0.1:$PG_PORT/airflow"
  export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="postgresql+psycopg2://$db"
  export AIRFLOW__CELERY__RESULT_BACKEND="db+postgresql://$db"
  export AIRFLOW__CELERY__BROKER_URL="redis://127.0.0.1:$REDIS_PORT/0"
  export AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK=False
  export AIRFLOW__LOGGING__BASE_LOG_FOLDER="$STACK_LOGS/airflow-tasks"
  # The DAG's schedule is in the user's timezone (read when the DAG file is parsed).
  export USER_TIMEZONE=${USER_TIMEZONE:-UTC}
  # Log lines reach the log as they are written (readiness is read from the worker's log).
  export PYTHONUNBUFFERED=1
  mkdir -p "$AIRFLOW_HOME" "$STACK_LOGS/airflow-tasks"
  # The admin password is generated once per state dir; Airflow reads it from this file.
  printf '{"%s": "%s"}\n' "$AIRFLOW_USERNAME" "$(secret airflow-admin)" >"$AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"
  chmod 600 "$AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"
}

airflow_health() {
  curl -fsS "http://127.0.0.1:$AIRFLOW_PORT/api/v2/monitor/health" | grep -q '"metadatabase":{"status":"healthy"'
}

# A Celery worker is ready once it has logged "<name>@<host> ready." since it last started.
airflow_worker_ready() {
  grep -q "$AIRFLOW_WORKER_NAME@.* ready\." "$(logfile airflow-worker)"
}

# The metadata database's schema, migrated once per Airflow version (a stamp next to the data, so
# a reset database is migrated again).
airflow_migrate() {
  local stamp="$STACK_DATA/postgres/airflow-migrated-$AIRFLOW_VERSION"
  [[ -f $stamp ]] && return 0
  run_logged "airflow db migrate" "$STACK_LOGS/airflow-migrate.log" "$AIRFLOW_VENV/bin/airflow" db migrate \
    || die "airflow db migrate failed; see $STACK_LOGS/airflow-migrate.log"
  touch "$stamp"
}

# Airflow's own settings for the scheduler, API server and DAG processor; the worker adds the
# pipeline's (the variables the DAGs' tasks read).
AIRFLOW_VARS="AIRFLOW_HOME AIRFLOW__* USER_TIMEZONE PYTHONUNBUFFERED"

airflow_up() {
  airflow_install
  airflow_env
  local bin="$AIRFLOW_VENV/bin/airflow" started=()
  if ! is_running airflow-api; then require_free_port airflow-api "$AIRFLOW_PORT"; fi
  airflow_migrate
  if ! is_running airflow-api; then
    supervise airflow-api "$AIRFLOW_HOME" "$AIRFLOW_VARS" "$bin" api-server --host 127.0.0.1 --port "$AIRFLOW_PORT"
    started+=(airflow-api)
  fi
  if ! is_running airflow-scheduler; then
    local vars=$AIRFLOW_VARS
    if [[ $AIRFLOW__CORE__EXECUTOR != CeleryExecutor ]]; then
      # The scheduler's own task processes need what a worker's would.
      # shellcheck disable=SC1091
      source "$STACK_STATE/env"
      vars="$vars $(env_file_names) MINDY_LOG RUST_LOG"
    fi
    supervise airflow-scheduler "$AIRFLOW_HOME" "$vars" "$bin" scheduler --skip-serve-logs
    started+=(airflow-scheduler)
  fi
  if ! is_running airflow-dag-processor; then
    supervise airflow-dag-processor "$AIRFLOW_HOME" "$AIRFLOW_VARS" "$bin" dag-processor
  fi
  if [[ $AIRFLOW__CORE__EXECUTOR == CeleryExecutor ]]; then
    airflow_worker_up
  else
    log "airflow: $AIRFLOW__CORE__EXECUTOR (STACK_AIRFLOW_EXECUTOR): no Celery worker"
  fi
  wait_until airflow-api 180 airflow_health
  ok "airflow ready on http://127.0.0.1:$AIRFLOW_PORT (user $AIRFLOW_USERNAME, password in .stack/secrets/airflow-admin)"
}

airflow_worker_up() {
  is_running airflow-worker && return 0
  # The tasks' environment: the pipeline's settings, from the env file every program reads.
  # shellcheck disable=SC1091
  source "$STACK_STATE/env"
  supervise airflow-worker "$AIRFLOW_HOME" "$AIRFLOW_VARS $(env_file_names) MINDY_LOG RUST_LOG" \
    "$AIRFLOW_VENV/bin/airflow" celery worker \
    --celery-hostname "$AIRFLOW_WORKER_NAME@%h" --queues default --concurrency "$AIRFLOW__CELERY__WORKER_CONCURRENCY" \
    --skip-serve-logs
  wait_until airflow-worker 300 airflow_worker_ready
  ok "airflow worker $AIRFLOW_WORKER_NAME ready (queue default, concurrency $AIRFLOW__CELERY__WORKER_CONCURRENCY)"
}

airflow_down() {
  stop airflow-worker
  stop airflow-scheduler
  stop airflow-dag-processor
  stop airflow-api
}
