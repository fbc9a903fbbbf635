# shellcheck shell=bash
# Apache Kafka in KRaft mode (one process is both controller and broker), from the broker jars on
# Maven Central, plus the project's topics with explicit retention.

KAFKA_VERSION=$(pom_property "$STACK_OPS/kafka/pom.xml" kafka.version)
KAFKA_LIBS="$(pom_cache "$STACK_OPS/kafka/pom.xml" "kafka-$KAFKA_VERSION")/libs"

kafka_download() { fetch_jars "Kafka $KAFKA_VERSION" "$STACK_OPS/kafka/pom.xml" "$KAFKA_LIBS"; }

kafka_install() {
  [[ -f $KAFKA_LIBS/.complete ]] && return 0
  bg_start kafka-install "$STACK_LOGS/kafka-install.log" kafka_download
  bg_wait kafka-install "fetching Kafka $KAFKA_VERSION's jars (Maven)" \
    || die "fetching Kafka's jars failed; see $STACK_LOGS/kafka-install.log"
}

# The JVM command line every Kafka process uses (broker, StorageTool, TopicCommand).
kafka_jvm() {
  KAFKA_JVM=("$JAVA_HOME/bin/java" -Xms256m "-Xmx${KAFKA_HEAP:-512m}" -XX:+UseG1GC
    "-Dlog4j2.configurationFile=$STACK_OPS/kafka/log4j2.properties" -cp "$KAFKA_LIBS/*")
}

# kafka_java CLASS ARG...: one of Kafka's tools, a JVM per call (eight at the first start, six
# after). They compile with C1 only (-XX:TieredStopAtLevel=1): each ends within seconds, before
# the optimising compiler's work would pay off, and they start beside the build of `mindy`.
kafka_java() { "${KAFKA_JVM[0]}" -XX:TieredStopAtLevel=1 "${KAFKA_JVM[@]:1}" "$@"; }

kafka_config() {
  local dir="$STACK_DATA/kafka"
  mkdir -p "$dir/logs"
  cat >"$dir/server.properties" <<PROPS
# Written by ./stack: one KRaft node on loopback.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir/logs
num.partitions=3
auto.create.topics.enable=false
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
# Broker-wide default; each topic below sets its own retention explicitly.
log.retention.hours=168
log.segment.bytes=134217728
PROPS
  echo "$dir/server.properties"
}

kafka_up() {
  if is_running kafka; then ok "kafka already running"; return 0; fi
  require_free_port kafka "$KAFKA_PORT"
  require_free_port kafka-controller "$KAFKA_CONTROLLER_PORT"
  kafka_install
  kafka_jvm
  local conf; conf=$(kafka_config)
  if [[ ! -f $STACK_DATA/kafka/logs/meta.properties ]]; then
    local cluster_id; cluster_id=$(kafka_java kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)
    kafka_java kafka.tools.StorageTool format --ignore-formatted -t "$cluster_id" -c "$conf" \
      >"$STACK_LOGS/kafka-format.log" 2>&1 || die "kafka storage format failed; see $STACK_LOGS/kafka-format.log"
  fi
  supervise kafka "$STACK_DATA/kafka" "JAVA_HOME" "${KAFKA_JVM[@]}" kafka.Kafka "$conf"
  wait_until kafka 180 port_open "$KAFKA_PORT"
  kafka_topics
  ok "kafka ready on 127.0.0.1:$KAFKA_PORT"
}

# The pipeline's topics. Retention is explicit: a week of raw and processed mail and calendar
# records (the Gmail and Calendar producers re-sync on their own), a month for the dead-letter
# topics so rejects can be inspected.
kafka_topics() {
  local spec name parts retention
  for spec in "$TOPIC_EMAILS:3:604800000" "$TOPIC_PROCESSED:3:604800000" "$TOPIC_DLQ:1:2592000000" \
    "$TOPIC_CALENDAR:3:604800000" "$TOPIC_PROCESSED_CALENDAR:3:604800000" "$TOPIC_CALENDAR_DLQ:1:2592000000"; do
    IFS=: read -r name parts retention <<<"$spec"
    kafka_java org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$KAFKA_PORT" --create \
      --if-not-exists --topic "$name" --partitions "$parts" --replication-factor 1 \
      --config "retention.ms=$retention" --config cleanup.policy=delete --config compression.type=producer \
      >>"$STACK_LOGS/kafka-topics.log" 2>&1 || die "creating topic $name failed; see $STACK_LOGS/kafka-topics.log"
  done
}

kafka_down() { stop kafka; }
