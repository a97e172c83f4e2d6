#!/usr/bin/env bash
# Creates AnprWatch's topics on a Kafka 3.x cluster. Run once per environment, before starting the workers.
#   BOOTSTRAP=kafka1:9093 PARTITIONS=12 REPLICAS=3 CONFIG=client.properties ./create-topics.sh
# Partitions bound the number of workers that share the read topic; reads are keyed by camera force code.
set -euo pipefail
: "${BOOTSTRAP:?set BOOTSTRAP}"
PARTITIONS=${PARTITIONS:-12}
REPLICAS=${REPLICAS:-3}
CONFIG_ARGS=()
[ -n "${CONFIG:-}" ] && CONFIG_ARGS=(--command-config "$CONFIG")
topic() { # name partitions retention.ms
  kafka-topics.sh --bootstrap-server "$BOOTSTRAP" "${CONFIG_ARGS[@]}" --create --if-not-exists --topic "$1" \
    --partitions "$2" --replication-factor "$REPLICAS" --config min.insync.replicas=2 --config retention.ms="$3"
}
# Reads: kept 3 days, long enough to replay after an outage; hits that matter are in the store, the rest must not linger.
topic anpr.reads "$PARTITIONS" $((3 * 24 * 3600 * 1000))
# Alerts: control rooms consume them live; 7 days covers a weekend outage of a consumer.
topic anpr.alerts 6 $((7 * 24 * 3600 * 1000))
# Dead letters: kept 30 days so a faulty camera feed can be diagnosed and replayed.
topic anpr.reads.dlq 3 $((30 * 24 * 3600 * 1000))
