# shellcheck shell=bash
# Optional: a Spark 4.0 Spark Connect server in local mode (Delta 4.0, the Kafka source), from
# the jars on Maven Central (ops/spark4/pom.xml). Not part of the pipeline: `./stack test` starts
# it to run spark-client's integration tests against 4.x too, then stops it.

SPARK4_VERSION=$(pom_property "$STACK_OPS/spark4/pom.xml" spark.version)
SPARK4_JARS="$(pom_cache "$STACK_OPS/spark4/pom.xml" "spark-$SPARK4_VERSION")/jars"

spark4_install() {
  [[ -f $SPARK4_JARS/.complete ]] && return 0
  run_logged "fetching Spark $SPARK4_VERSION's jars (Maven)" "$STACK_LOGS/spark4-install.log" \
    fetch_jars "Spark $SPARK4_VERSION Connect server" "$STACK_OPS/spark4/pom.xml" "$SPARK4_JARS" \
    || die "fetching Spark $SPARK4_VERSION's jars failed; see $STACK_LOGS/spark4-install.log"
}

spark4_up() {
  if is_running spark4-connect; then return 0; fi
  spark4_install
  require_free_port spark4-connect "$SPARK4_CONNECT_PORT"
  local dir="$STACK_DATA/spark4" opens=() pkg
  mkdir -p "$dir/tmp" "$dir/warehouse"
  # What spark-submit's launcher opens for Spark on Java 17 (JavaModuleOptions).
  for pkg in java.lang java.lang.invoke java.lang.reflect java.io java.net java.nio java.util \
    java.util.concurrent java.util.concurrent.atomic jdk.internal.ref sun.nio.ch sun.nio.cs \
    sun.security.action sun.util.calendar; do
    opens+=("--add-opens=java.base/$pkg=ALL-UNNAMED")
  done
  supervise spark4-connect "$dir" "JAVA_HOME" "$JAVA_HOME/bin/java" "-Xmx${SPARK4_DRIVER_MEMORY:-1536m}" "${opens[@]}" \
    -Djdk.reflect.useDirectMethodHandle=false -Dio.netty.tryReflectionSetAccessible=true \
    '-Dspark.master=local[2]' -Dspark.app.name=mini-mindy-connect-4 \
    "-Dspark.connect.grpc.binding.port=$SPARK4_CONNECT_PORT" -Dspark.connect.grpc.binding.address=127.0.0.1 \
    -Dspark.connect.grpc.maxInboundMessageSize=134217728 \
    -Dspark.driver.host=127.0.0.1 -Dspark.driver.bindAddress=127.0.0.1 -Dspark.ui.enabled=false \
    "-Dspark.local.dir=$dir/tmp" "-Dspark.sql.warehouse.dir=$dir/warehouse" \
    -Dspark.sql.extensions=io.delta.sql.DeltaSparkSessionExtension \
    -Dspark.sql.catalog.spark_catalog=org.apache.spark.sql.delta.catalog.DeltaCatalog \
    -Dspark.sql.shuffle.partitions=4 -Dspark.databricks.delta.snapshotPartitions=4 -Dspark.sql.session.timeZone=UTC \
    -cp "$SPARK4_JARS/*" org.apache.spark.sql.connect.service.SparkConnectServer
  wait_until spark4-connect 180 port_open "$SPARK4_CONNECT_PORT"
  ok "spark4 ready: Spark $SPARK4_VERSION Connect (local mode) on sc://127.0.0.1:$SPARK4_CONNECT_PORT"
}

spark4_down() { stop spark4-connect; }
