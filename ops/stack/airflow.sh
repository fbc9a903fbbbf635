# shellcheck shell=bash
# Airflow 3 as separate components (not `airflow standalone`, which forks 32 workers and binds
# 0.0.0.0): api-server, scheduler (LocalExecutor) and dag-processor, with PostgreSQL as the
# metadata database and the project's airflow/dags as the DAG folder.

AIRFLOW_VENV="$STACK_CACHE/venvs/airflow-$(sed -n 's/^apache-airflow==//p' "$STACK_OPS/airflow/requirements.txt")"

airflow_install() {
  # shellcheck disable=SC2046
  ensure_venv "$AIRFLOW_VENV" $(grep -v '^#' "$STACK_OPS/airflow/requirements.txt")
}

# The environment every Airflow component (and so every task it runs) shares.
airflow_env() {
  export AIRFLOW_HOME="$STACK_DATA/airflow"
  export AIRFLOW__CORE__DAGS_FOLDER="$STACK_ROOT/airflow/dags"
  export AIRFLOW__CORE__LOAD_EXAMPLES=False
  export AIRFLOW__CORE__EXECUTOR=LocalExecutor
  export AIRFLOW__CORE__PARALLELISM=4
  export AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION=True
  export AIRFLOW__CORE__EXECUTION_API_SERVER_URL="http://127.0.0.1:$AIRFLOW_PORT/execution/"
  export AIRFLOW__CORE__AUTH_MANAGER=airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager
  export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS="$AIRFLOW_USERNAME:admin"
  export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE="$AIRFLOW_HOME/passwords.json"
  export AIRFLOW__API_AUTH__JWT_SECRET; AIRFLOW__API_AUTH__JWT_SECRET=$(secret airflow-jwt)
  export AIRFLOW__API__SECRET_KEY; AIRFLOW__API__SECRET_KEY=$(secret airflow-api)
  export AIRFLOW__API__BASE_URL="http://127.0.0.1:$AIRFLOW_PORT"
  export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="postgresql+psycopg2://airflow:$(secret postgres-airflow)@127.0.0.1:$PG_PORT/airflow"
  export AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL=10
  export AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK=False
  export AIRFLOW__LOGGING__BASE_LOG_FOLDER="$STACK_LOGS/airflow-tasks"
  export AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT=60
  mkdir -p "$AIRFLOW_HOME" "$STACK_LOGS/airflow-tasks"
  # The admin password is generated once per state dir; Airflow reads it from this file.
  printf '{"%s": "%s"}\n' "$AIRFLOW_USERNAME" "$(secret airflow-admin)" >"$AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"
  chmod 600 "$AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"
}

airflow_health() {
  curl -fsS "http://127.0.0.1:$AIRFLOW_PORT/api/v2/monitor/health" | grep -q '"metadatabase":{"status":"healthy"'
}

airflow_up() {
  airflow_install
  airflow_env
  # Tasks inherit the components' environment: the DAGs' `mindy` commands find the stack
  # (Spark, Kafka, PostgreSQL, the lake, MINDY_BIN) through the same env file as everything else.
  # shellcheck disable=SC1091
  source "$STACK_STATE/env"
  local bin="$AIRFLOW_VENV/bin/airflow"
  if ! is_running airflow-api; then require_free_port airflow-api "$AIRFLOW_PORT"; fi
  log "airflow: migrating the metadata database"
  "$bin" db migrate >"$STACK_LOGS/airflow-migrate.log" 2>&1 \
    || die "airflow db migrate failed; see $STACK_LOGS/airflow-migrate.log"
  is_running airflow-api || spawn airflow-api "$bin" api-server --host 127.0.0.1 --port "$AIRFLOW_PORT" --workers 1
  is_running airflow-scheduler || spawn airflow-scheduler "$bin" scheduler --skip-serve-logs
  is_running airflow-dag-processor || spawn airflow-dag-processor "$bin" dag-processor
  wait_until airflow-api 180 airflow_health
  ok "airflow ready on http://127.0.0.1:$AIRFLOW_PORT (user $AIRFLOW_USERNAME, password in .stack/secrets/airflow-admin)"
}

airflow_down() {
  stop airflow-scheduler
  stop airflow-dag-processor
  stop airflow-api
}
