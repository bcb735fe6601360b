# shellcheck shell=bash
# Apache Kafka in KRaft mode (one node, broker+controller), assembled from Maven Central jars and run
# on the machine's Java 17. Sourced by scripts/stack.

KAFKA_HOME="$STACK_DIR/kafka"
KAFKA_LIBS="$KAFKA_HOME/libs"
KAFKA_POM="$KUROSHIO_ROOT/infra/kafka/pom.xml"
KAFKA_LOG="$KAFKA_HOME/log/server.log"
KAFKA_STDOUT="$KAFKA_HOME/log/stdout.log"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx1G}"

kafka_version() { sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$KAFKA_POM"; }

java_major() { "$1" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1; }

# Kafka 4 brokers need Java 17+. JAVA_HOME wins when it is new enough; otherwise the Debian JDK 17.
kafka_find_java() {
  local candidate
  for candidate in "${JAVA_HOME:+$JAVA_HOME/bin/java}" "$(command -v java || true)" /usr/lib/jvm/java-17-openjdk-*/bin/java; do
    if [ -n "$candidate" ] && [ -x "$candidate" ] && [ "$(java_major "$candidate")" -ge 17 ] 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

kafka_install() {
  if ! KAFKA_JAVA="$(kafka_find_java)"; then
    stack_apt_install openjdk-17-jre-headless
    KAFKA_JAVA="$(kafka_find_java)" || stack_die "kafka: no Java 17+ after installing openjdk-17-jre-headless"
  fi
  local stamp
  stamp="$(stack_sha256 "$KAFKA_POM")"
  if [ -f "$KAFKA_LIBS/.pom-sha256" ] && [ "$(cat "$KAFKA_LIBS/.pom-sha256")" = "$stamp" ]; then
    return 0
  fi
  command -v mvn >/dev/null || stack_apt_install maven
  echo "stack: kafka: copying Kafka $(kafka_version) jars from Maven Central into .stack/kafka/libs" >&2
  # Copy into a fresh folder and swap, so an interrupted copy never leaves a half set of jars behind
  # a valid marker.
  rm -rf "$KAFKA_LIBS.tmp"
  mvn -B -q -Dstyle.color=never -f "$KAFKA_POM" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$KAFKA_LIBS.tmp" >&2 \
    || stack_die "kafka: mvn dependency:copy-dependencies failed"
  echo "$stamp" > "$KAFKA_LIBS.tmp/.pom-sha256"
  rm -rf "$KAFKA_LIBS"
  mv "$KAFKA_LIBS.tmp" "$KAFKA_LIBS"
}

kafka_tool() {
  "$KAFKA_JAVA" -Xmx256m -Dlog4j2.configurationFile="$KUROSHIO_ROOT/infra/kafka/tools-log4j2.xml" \
    -cp "$KAFKA_LIBS/*" "$@"
}

kafka_start() {
  mkdir -p "$KAFKA_HOME/data" "$KAFKA_HOME/log"
  sed "s#@LOG_DIRS@#$KAFKA_HOME/data#g" "$KUROSHIO_ROOT/infra/kafka/server.properties.template" \
    > "$KAFKA_HOME/server.properties"
  if [ ! -f "$KAFKA_HOME/data/meta.properties" ]; then
    local cluster_id
    cluster_id="$(kafka_tool kafka.tools.StorageTool random-uuid)"
    kafka_tool kafka.tools.StorageTool format --standalone --ignore-formatted \
      -t "$cluster_id" -c "$KAFKA_HOME/server.properties" >> "$KAFKA_STDOUT" 2>&1 \
      || stack_report_failure kafka "$KAFKA_STDOUT" "storage format failed"
  fi
  stack_require_free_ports kafka 9092 9093
  # shellcheck disable=SC2086 # KAFKA_HEAP_OPTS is a list of JVM flags
  stack_spawn kafka "$KAFKA_STDOUT" "$KAFKA_JAVA" $KAFKA_HEAP_OPTS \
    -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
    -Djava.awt.headless=true \
    -Dkafka.logs.dir="$KAFKA_HOME/log" \
    -Dlog4j2.configurationFile="$KUROSHIO_ROOT/infra/kafka/log4j2.xml" \
    -cp "$KAFKA_LIBS/*" kafka.Kafka "$KAFKA_HOME/server.properties"
}

# --no-warnings: kafkajs 2.2 trips a TimeoutNegativeWarning on Node 23+, noise in every status line.
kafka_probe() { node --no-warnings "$KUROSHIO_ROOT/scripts/lib/stack-probe.mjs" kafka; }

kafka_describe() {
  if stack_is_external kafka; then
    echo "$KAFKA_BROKERS (external; $(kafka_probe 2>&1))"
  else
    echo "$KAFKA_BROKERS (Apache Kafka $(kafka_version), KRaft)"
  fi
}

kafka_log_files() { echo "$KAFKA_LOG" "$KAFKA_STDOUT"; }
