# shellcheck shell=bash
# Airflow 3 as separate components (not `airflow standalone`, which forks 32 workers and binds
# 0.0.0.0): api-server, scheduler (LocalExecutor) and dag-processor, with PostgreSQL as the
# metadata database and the project's airflow/dags as the DAG folder; each under the supervisor.

AIRFLOW_VERSION=$(sed -n 's/^apache-airflow==//p' "$STACK_OPS/airflow/requirements.txt")
# Keyed by the requirements, so changing them makes a new venv instead of changing one in use.
AIRFLOW_VENV="$STACK_CACHE/venvs/airflow-$AIRFLOW_VERSION-$(sha256sum "$STACK_OPS/airflow/requirements.txt" | cut -c1-8)"
AIRFLOW_REQUIREMENTS=$(grep -v '^#' "$STACK_OPS/airflow/requirements.txt" | tr '\n' ' ')

airflow_download() {
  # shellcheck disable=SC2086
  ensure_venv "$AIRFLOW_VENV" $AIRFLOW_REQUIREMENTS
}

airflow_install() {
  # shellcheck disable=SC2086
  venv_ready "$AIRFLOW_VENV" $AIRFLOW_REQUIREMENTS && return 0
  bg_start airflow-install "$STACK_LOGS/pip-airflow.log" airflow_download
  bg_wait airflow-install "installing Airflow $AIRFLOW_VERSION (pip)" \
    || die "installing Airflow failed; see $STACK_LOGS/pip-airflow.log"
}

# The environment every Airflow component shares.
airflow_env() {
  export AIRFLOW_HOME="$STACK_DATA/airflow"
  export AIRFLOW__CORE__DAGS_FOLDER="$STACK_ROOT/airflow/dags"
  export AIRFLOW__CORE__LOAD_EXAMPLES=False
  export AIRFLOW__CORE__EXECUTOR=LocalExecutor
  export AIRFLOW__CORE__PARALLELISM=4
  export AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION=True
  export AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT=60
  export AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL=10
  export AIRFLOW__API__WORKERS=1
  export AIRFLOW__CORE__EXECUTION_API_SERVER_URL="http://127.0.0.1:$AIRFLOW_PORT/execution/"
  export AIRFLOW__CORE__AUTH_MANAGER=airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager
  export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS="$AIRFLOW_USERNAME:admin"
  export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE="$AIRFLOW_HOME/passwords.json"
  export AIRFLOW__API_AUTH__JWT_SECRET; AIRFLOW__API_AUTH__JWT_SECRET=$(secret airflow-jwt)
  export AIRFLOW__API__SECRET_KEY; AIRFLOW__API__SECRET_KEY=$(secret airflow-api)
  export AIRFLOW__API__BASE_URL="http://127.0.0.1:$AIRFLOW_PORT"
  local db="airflow:$(secret postgres-airflow)@127.0.0.1:$PG_PORT/airflow"
  export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="postgresql+psycopg2://$db"
  export AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK=False
  export AIRFLOW__LOGGING__BASE_LOG_FOLDER="$STACK_LOGS/airflow-tasks"
  # The DAG's schedule is in the user's timezone (read when the DAG file is parsed).
  export USER_TIMEZONE=${USER_TIMEZONE:-UTC}
  mkdir -p "$AIRFLOW_HOME" "$STACK_LOGS/airflow-tasks"
  # The admin password is generated once per state dir; Airflow reads it from this file.
  printf '{"%s": "%s"}\n' "$AIRFLOW_USERNAME" "$(secret airflow-admin)" >"$AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"
  chmod 600 "$AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"
}

airflow_health() {
  curl -fsS "http://127.0.0.1:$AIRFLOW_PORT/api/v2/monitor/health" | grep -q '"metadatabase":{"status":"healthy"'
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

# What the components get: Airflow's settings and, since the LocalExecutor runs the tasks as the
# scheduler's children, the pipeline's (the env file every program reads: `mindy`, the lake,
# Spark, Kafka, PostgreSQL).
airflow_vars() { echo "AIRFLOW_HOME AIRFLOW__* USER_TIMEZONE $(env_file_names) MINDY_LOG RUST_LOG"; }

airflow_up() {
  airflow_install
  airflow_env
  # shellcheck disable=SC1091
  source "$STACK_STATE/env"
  local bin="$AIRFLOW_VENV/bin/airflow" vars; vars=$(airflow_vars)
  if ! is_running airflow-api; then require_free_port airflow-api "$AIRFLOW_PORT"; fi
  airflow_migrate
  if ! is_running airflow-api; then
    supervise airflow-api "$AIRFLOW_HOME" "$vars" "$bin" api-server --host 127.0.0.1 --port "$AIRFLOW_PORT"
  fi
  if ! is_running airflow-scheduler; then
    supervise airflow-scheduler "$AIRFLOW_HOME" "$vars" "$bin" scheduler --skip-serve-logs
  fi
  if ! is_running airflow-dag-processor; then
    supervise airflow-dag-processor "$AIRFLOW_HOME" "$vars" "$bin" dag-processor
  fi
  wait_until airflow-api 180 airflow_health
  ok "airflow ready on http://127.0.0.1:$AIRFLOW_PORT (user $AIRFLOW_USERNAME, password in .stack/secrets/airflow-admin)"
}

airflow_down() {
  stop airflow-scheduler
  stop airflow-dag-processor
  stop airflow-api
}
