# shellcheck shell=bash
# Spark 3.5 standalone cluster (1 master, 2 workers) and the Spark Connect server on top of it,
# from the jars shipped in the pyspark package; Connect, Delta and the Kafka source come from
# Maven Central through spark-submit --packages (cached in the Ivy dir under the download cache).

SPARK_VERSION=3.5.7
SPARK_VENV="$STACK_CACHE/venvs/pyspark-$SPARK_VERSION"
SPARK_PACKAGES="org.apache.spark:spark-connect_2.12:$SPARK_VERSION,io.delta:delta-spark_2.12:${DELTA_VERSION:-3.3.2},org.apache.spark:spark-sql-kafka-0-10_2.12:$SPARK_VERSION"

# pyarrow/pandas/grpcio make the same venv usable by the PySpark comparison benchmark.
SPARK_REQUIREMENTS=("pyspark==$SPARK_VERSION" "pyarrow>=14,<22" "pandas>=2,<3" "grpcio>=1.56,<2"
  "grpcio-status>=1.56,<2" "googleapis-common-protos>=1.56,<2")

spark_download() { ensure_venv "$SPARK_VENV" "${SPARK_REQUIREMENTS[@]}"; }

spark_install() {
  if ! venv_ready "$SPARK_VENV" "${SPARK_REQUIREMENTS[@]}"; then
    bg_start spark-install "$STACK_LOGS/venv-pyspark.log" spark_download
    bg_wait spark-install "installing pyspark $SPARK_VERSION (Spark's jars; uv)" \
      || die "installing pyspark failed; see $STACK_LOGS/venv-pyspark.log"
  fi
  SPARK_HOME=$("$SPARK_VENV/bin/python" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')
  export SPARK_HOME
}

# What Spark's processes get from ./stack's environment.
SPARK_VARS="JAVA_HOME SPARK_HOME SPARK_LOCAL_IP SPARK_LOCAL_DIRS SPARK_CONF_DIR PYSPARK_PYTHON"

spark_env() {
  export SPARK_LOCAL_IP=127.0.0.1 SPARK_LOCAL_DIRS="$STACK_DATA/spark/tmp"
  export SPARK_CONF_DIR="$STACK_DATA/spark/conf" PYSPARK_PYTHON="$SPARK_VENV/bin/python"
  mkdir -p "$SPARK_LOCAL_DIRS" "$SPARK_CONF_DIR"
  # Every Spark process serves its metrics for Prometheus on its web UI (Spark's PrometheusServlet).
  cp "$STACK_OPS/spark/metrics.properties" "$SPARK_CONF_DIR/metrics.properties"
}

# master_json: the master's JSON status page (alive workers, running apps).
master_json() { curl -fsS "http://127.0.0.1:$SPARK_MASTER_UI_PORT/json/"; }

workers_alive() {
  [[ $(master_json | "$SPARK_VENV/bin/python" -c 'import json,sys; print(sum(w["state"]=="ALIVE" for w in json.load(sys.stdin)["workers"]))') -ge 2 ]]
}

spark_master_up() {
  if is_running spark-master; then return 0; fi
  require_free_port spark-master "$SPARK_MASTER_PORT"
  require_free_port spark-master-ui "$SPARK_MASTER_UI_PORT"
  supervise spark-master "$STACK_DATA/spark" "$SPARK_VARS" "$SPARK_HOME/bin/spark-class" org.apache.spark.deploy.master.Master \
    --host 127.0.0.1 --port "$SPARK_MASTER_PORT" --webui-port "$SPARK_MASTER_UI_PORT"
  wait_until spark-master 180 master_json
}

spark_workers_up() {
  local i port
  for i in 1 2; do
    is_running "spark-worker-$i" && continue
    port=$((SPARK_WORKER_UI_PORT + i - 1))
    require_free_port "spark-worker-$i" "$port"
    mkdir -p "$STACK_DATA/spark/worker-$i"
    supervise "spark-worker-$i" "$STACK_DATA/spark" "$SPARK_VARS" "$SPARK_HOME/bin/spark-class" org.apache.spark.deploy.worker.Worker \
      "spark://127.0.0.1:$SPARK_MASTER_PORT" --host 127.0.0.1 --cores "${SPARK_WORKER_CORES:-1}" \
      --memory "${SPARK_WORKER_MEMORY:-2g}" --webui-port "$port" --work-dir "$STACK_DATA/spark/worker-$i"
  done
  wait_until spark-worker-2 300 workers_alive
}

spark_connect_up() {
  if is_running spark-connect; then return 0; fi
  require_free_port spark-connect "$SPARK_CONNECT_PORT"
  mkdir -p "$STACK_DATA/spark/warehouse" "$STACK_CACHE/ivy"
  # The driver runs from its own directory so Spark's scratch files stay inside .stack/.
  # Two 1-core executors and small tables: 4 shuffle partitions, and 4 partitions for rebuilding a
  # Delta table's state from its log (Delta's default, 50, made every snapshot of a small table
  # two stages of 50 tasks).
  # SPARK_EXECUTOR_EXTRA_JAVA_OPTIONS: the executors' JVM options (none by default). Measured on
  # 2 Dec 2026, C1 only (-XX:TieredStopAtLevel=1) is not a clear gain here: a cold `./stack demo`
  # after the stack up took 496 s instead of 580 s (the executors' CPU 255 s instead of 397 s),
  # but two fresh runs' enrichment took 229 s and 242 s against 199 s with the default. The
  # driver needs C2: with C1 everywhere the cold demo took 662 s.
  # Expressions are evaluated, not compiled: the pipeline's queries are many, distinct and over
  # small tables, so Spark's code generation cost more than it saved. Measured on 3 Dec 2026 (a
  # cold `./stack demo`, JFR on the driver): 1,953 classes compiled by Janino on the driver (146 s)
  # and 3,492 on the executors (164 s), a third of the driver's profile, and the executors' JIT
  # compiling each new class; with whole-stage code generation off and the interpreted expression
  # factory (`spark.sql.codegen.factoryMode=NO_CODEGEN`, Spark's own non-codegen paths), 11 on
  # the driver, the demo 470.7 s instead of 594.6–634.8 s and 843 s of CPU instead of
  # 1,063–1,178, every answer the same. Whole-stage code generation off alone was no gain (2 Dec).
  # `factoryMode` is one of Spark's internal settings, there for its tests (which run queries
  # both ways, so the interpreted paths are tested); a Spark that ignored it would compile
  # again: slower, the same answers. Dropping the two lines is the way back.
  # The driver keeps the UI's record of past jobs, stages, tasks and SQL executions. The defaults
  # (1,000 of each, 100,000 tasks), with the pipeline's long plans described in each, filled a 2g
  # heap in an afternoon of tests and a continuous pipeline (1 Dec 2026: the server stopped
  # answering, busy in garbage collection); a shorter record and a 3g heap keep it alive.
  supervise spark-connect "$STACK_DATA/spark" "$SPARK_VARS" "$SPARK_HOME/bin/spark-submit" \
    --class org.apache.spark.sql.connect.service.SparkConnectServer \
    --name mini-mindy-connect \
    --master "spark://127.0.0.1:$SPARK_MASTER_PORT" \
    --packages "$SPARK_PACKAGES" \
    --driver-memory "${SPARK_DRIVER_MEMORY:-3g}" \
    --conf "spark.jars.ivy=$STACK_CACHE/ivy" \
    --conf "spark.connect.grpc.binding.port=$SPARK_CONNECT_PORT" \
    --conf spark.connect.grpc.binding.address=127.0.0.1 \
    --conf spark.connect.grpc.maxInboundMessageSize=134217728 \
    --conf spark.driver.host=127.0.0.1 \
    --conf spark.driver.bindAddress=127.0.0.1 \
    --conf "spark.ui.port=$SPARK_CONNECT_UI_PORT" \
    --conf "spark.executor.memory=${SPARK_EXECUTOR_MEMORY:-1g}" \
    --conf "spark.executor.extraJavaOptions=${SPARK_EXECUTOR_EXTRA_JAVA_OPTIONS:-}" \
    --conf spark.executor.cores=1 \
    --conf "spark.cores.max=${SPARK_CORES_MAX:-2}" \
    --conf spark.sql.extensions=io.delta.sql.DeltaSparkSessionExtension \
    --conf spark.sql.catalog.spark_catalog=org.apache.spark.sql.delta.catalog.DeltaCatalog \
    --conf "spark.sql.warehouse.dir=$STACK_DATA/spark/warehouse" \
    --conf spark.sql.shuffle.partitions=4 \
    --conf spark.sql.codegen.wholeStage=false \
    --conf spark.sql.codegen.factoryMode=NO_CODEGEN \
    --conf spark.databricks.delta.snapshotPartitions=4 \
    --conf spark.sql.session.timeZone=UTC \
    --conf spark.sql.streaming.stateStore.stateSchemaCheck=true \
    --conf spark.sql.streaming.metricsEnabled=true \
    --conf spark.ui.prometheus.enabled=true \
    --conf spark.ui.retainedJobs=300 \
    --conf spark.ui.retainedStages=300 \
    --conf spark.ui.retainedTasks=20000 \
    --conf spark.sql.ui.retainedExecutions=200 \
    spark-internal
  # First start resolves the packages from Maven Central (a minute or two); later starts use the cache.
  wait_until spark-connect 600 port_open "$SPARK_CONNECT_PORT"
}

spark_up() {
  spark_install
  spark_env
  spark_master_up
  spark_workers_up
  spark_connect_up
  ok "spark ready: master spark://127.0.0.1:$SPARK_MASTER_PORT, connect sc://127.0.0.1:$SPARK_CONNECT_PORT"
}

spark_down() {
  stop spark-connect
  stop spark-worker-2
  stop spark-worker-1
  stop spark-master
}
