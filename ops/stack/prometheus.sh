# shellcheck shell=bash
# Prometheus from Debian's package, on loopback, scraping every part of the stack that serves
# metrics: itself, mindy-api, the pipeline's validator, streaming driver and exporter, and Spark's
# master, workers and driver (Spark's PrometheusServlet, turned on in metrics.properties by
# spark.sh). The alert rules are ops/prometheus/rules.yml, the same file docker/ mounts. A target
# that is not running (the pipeline and the app are not part of the default `up`) shows as down
# in Prometheus; the MindyTargetDown alert waits 2 minutes.

PROMETHEUS_RULES="$STACK_OPS/prometheus/rules.yml"
# The version Debian 12's package installs; docker/ runs the same (a compose test holds them equal).
PROMETHEUS_VERSION=2.42.0

# prometheus_config: the scrape configuration, from the stack's ports (every 5 s: a small stack
# with fast-moving demos).
prometheus_config() {
  cat <<YAML
# Written by ./stack up prometheus from the stack's ports; ops/prometheus/rules.yml holds the alerts.
global:
  scrape_interval: 5s
  evaluation_interval: 15s
rule_files:
  - $PROMETHEUS_RULES
scrape_configs:
  - job_name: prometheus
    static_configs: [{targets: ["127.0.0.1:$PROMETHEUS_PORT"]}]
  - job_name: mindy-api
    authorization: {type: Bearer, credentials_file: $STACK_STATE/secrets/api-token}
    static_configs: [{targets: ["127.0.0.1:$API_PORT"]}]
  - job_name: mindy-validator
    static_configs: [{targets: ["127.0.0.1:$VALIDATOR_METRICS_PORT"]}]
  - job_name: mindy-stream
    static_configs: [{targets: ["127.0.0.1:$STREAM_METRICS_PORT"]}]
  - job_name: mindy-exporter
    static_configs: [{targets: ["127.0.0.1:$EXPORTER_METRICS_PORT"]}]
  - job_name: spark-master
    metrics_path: /metrics/master/prometheus
    static_configs: [{targets: ["127.0.0.1:$SPARK_MASTER_UI_PORT"]}]
  - job_name: spark-worker
    metrics_path: /metrics/prometheus
    static_configs: [{targets: ["127.0.0.1:$SPARK_WORKER_UI_PORT", "127.0.0.1:$((SPARK_WORKER_UI_PORT + 1))"]}]
  - job_name: spark-driver
    metrics_path: /metrics/prometheus
    static_configs: [{targets: ["127.0.0.1:$SPARK_CONNECT_UI_PORT"]}]
YAML
}

prometheus_up() {
  command -v prometheus >/dev/null || die "prometheus not found (Debian: prometheus); ./stack installs it with the other packages"
  if is_running prometheus; then ok "prometheus already running"; return 0; fi
  prometheus --version 2>&1 | grep -q "version $PROMETHEUS_VERSION" \
    || warn "prometheus is not $PROMETHEUS_VERSION (docker/ runs that one): $(prometheus --version 2>&1 | head -1)"
  require_free_port prometheus "$PROMETHEUS_PORT"
  mkdir -p "$STACK_DATA/prometheus"
  secret api-token >/dev/null # mindy-api's /metrics wants its bearer token
  prometheus_config >"$STACK_STATE/prometheus.yml"
  promtool check config "$STACK_STATE/prometheus.yml" >"$STACK_LOGS/promtool.log" 2>&1 \
    || die "the Prometheus configuration does not check; see $STACK_LOGS/promtool.log"
  supervise prometheus "$STACK_DATA/prometheus" "" prometheus \
    --config.file="$STACK_STATE/prometheus.yml" --storage.tsdb.path="$STACK_DATA/prometheus" \
    --storage.tsdb.retention.time=7d --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" \
    --web.enable-lifecycle --log.level=warn
  wait_until prometheus 60 curl -fsS "http://127.0.0.1:$PROMETHEUS_PORT/-/ready"
  ok "prometheus ready on http://127.0.0.1:$PROMETHEUS_PORT (targets: /targets, alerts: /alerts)"
}

prometheus_down() { stop prometheus; }
