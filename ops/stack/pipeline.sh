# shellcheck shell=bash
# The pipeline's long-running jobs on the stack's topics and lake, each under the supervisor
# (started again when it exits): the validator, the streaming driver, the enricher and the
# exporter, all continuous, so new mail reaches the serving tables without anyone starting a job.
# `./stack up pipeline`; not part of the default `up` (the tests run their own jobs on their own
# topics and lakes). The streaming driver and the enricher also outlive a Spark Connect restart by
# themselves (they wait for it and start over from their checkpoints).

# What each job gets from the environment besides .stack/env.
PIPELINE_VARS="MINDY_* DATABASE_URL USER_TIMEZONE RUST_LOG"

pipeline_up() {
  local dep
  for dep in postgres kafka spark-connect; do
    is_running "$dep" || die "the pipeline needs $dep: ./stack up first"
  done
  build_wait
  # shellcheck disable=SC1091
  source "$STACK_STATE/env"
  export MINDY_LOG_FORMAT=text
  # Fresh rather than frugal: a micro-batch every 5 s (the job's default is 30 s).
  export MINDY_STREAM_TRIGGER=${MINDY_STREAM_TRIGGER:-5s}
  export MINDY_VALIDATOR_METRICS_ADDR="127.0.0.1:$VALIDATOR_METRICS_PORT"
  # The driver's and the exporter's Prometheus endpoints (scraped by ./stack up prometheus).
  export MINDY_STREAM_METRICS_ADDR="127.0.0.1:$STREAM_METRICS_PORT"
  export MINDY_EXPORTER_METRICS_ADDR="127.0.0.1:$EXPORTER_METRICS_PORT"
  local vars; vars="$(env_file_names) $PIPELINE_VARS"
  if ! is_running validator; then
    require_free_port validator "$VALIDATOR_METRICS_PORT"
    supervise validator "$STACK_ROOT" "$vars" "$MINDY_BIN" validate
    wait_until validator 60 curl -fsS "http://127.0.0.1:$VALIDATOR_METRICS_PORT/metrics"
  fi
  local job
  for job in stream enrich exporter; do
    is_running "$job" && continue
    case $job in stream) require_free_port stream "$STREAM_METRICS_PORT" ;; exporter) require_free_port exporter "$EXPORTER_METRICS_PORT" ;; esac
    case $job in
      stream) supervise stream "$STACK_ROOT" "$vars" "$MINDY_BIN" stream ;;
      enrich) supervise enrich "$STACK_ROOT" "$vars" "$MINDY_BIN" enrich ;;
      exporter) supervise exporter "$STACK_ROOT" "$vars" "$MINDY_BIN" export --continuous ;;
    esac
  done
  for job in stream enrich exporter; do wait_until "$job" 60 is_running "$job"; done
  ok "pipeline running: validator (metrics :$VALIDATOR_METRICS_PORT), stream (every $MINDY_STREAM_TRIGGER), enrich, exporter — logs in $STACK_LOGS/{validator,stream,enrich,exporter}.log"
}

pipeline_down() {
  local job
  for job in exporter enrich stream validator; do stop "$job"; done
}
