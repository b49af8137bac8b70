#!/usr/bin/env bash
# Starts heatstream on this machine: nats-server (JetStream), QuestDB and Mosquitto on loopback,
# with data under .data/ (kept between runs) and credentials generated on first start into
# .data/secrets.env (mode 600). Ctrl-C stops everything; the next start reuses the data.
# Expects the tools from scripts/provision.sh on PATH (./heatstream start does that).
set -euo pipefail
cd "${HS_ROOT:?run through ./heatstream start}"
DATA="$HS_ROOT/.data"
mkdir -p "$DATA"/{nats,questdb,mosquitto,logs}
chmod 700 "$DATA"

NATS_PORT=${HS_NATS_PORT:-4222}
QUESTDB_HTTP_PORT=${HS_QUESTDB_HTTP_PORT:-9000}
QUESTDB_PG_PORT=${HS_QUESTDB_PG_PORT:-8812}
MQTT_PORT=${HS_MQTT_PORT:-1883}

secrets="$DATA/secrets.env"
if [ ! -f "$secrets" ]; then
  gen() { node -e 'process.stdout.write(require("node:crypto").randomBytes(24).toString("base64url"))'; }
  umask 077
  cat > "$secrets" <<EOT
NATS_USER=heatstream
NATS_PASSWORD=$(gen)
QUESTDB_USER=heatstream
QUESTDB_PASSWORD=$(gen)
MQTT_USER=heatstream
MQTT_PASSWORD=$(gen)
EOT
  echo "[start] generated credentials in .data/secrets.env"
fi
# shellcheck disable=SC1090
source "$secrets"

cat > "$DATA/nats/nats.conf" <<EOT
listen: "127.0.0.1:$NATS_PORT"
server_name: heatstream-local
jetstream { store_dir: "$DATA/nats/store" }
authorization { users: [ { user: "$NATS_USER", password: "$NATS_PASSWORD" } ] }
EOT
chmod 600 "$DATA/nats/nats.conf"

rm -f "$DATA/mosquitto/passwd"
touch "$DATA/mosquitto/passwd" && chmod 600 "$DATA/mosquitto/passwd"
mosquitto_passwd -b "$DATA/mosquitto/passwd" "$MQTT_USER" "$MQTT_PASSWORD"
cat > "$DATA/mosquitto/mosquitto.conf" <<EOT
listener $MQTT_PORT 127.0.0.1
# Stay the user who started it: mosquitto would otherwise switch to "mosquitto", which cannot read .data/.
user $(id -un)
allow_anonymous false
password_file $DATA/mosquitto/passwd
persistence true
persistence_location $DATA/mosquitto/
EOT

pids=()
stop_all() {
  trap - INT TERM EXIT
  echo
  echo "[start] stopping"
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill -TERM "${pids[i]}" 2>/dev/null || true; done
  wait || true
  echo "[start] stopped; data kept in .data/"
}
trap stop_all INT TERM EXIT

run() { # name, then the command; output goes to .data/logs/<name>.log
  local name=$1; shift
  "$@" >>"$DATA/logs/$name.log" 2>&1 &
  pids+=($!)
}
wait_port() { # name port: the server started last must open its port, or we stop with its log
  local pid=${pids[-1]}
  for _ in $(seq 1 600); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null; then return 0; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "[start] $1 did not open port $2; the end of .data/logs/$1.log:" >&2
  tail -5 "$DATA/logs/$1.log" >&2
  exit 1
}

run nats "$HS_NATS_SERVER" -c "$DATA/nats/nats.conf"
wait_port nats "$NATS_PORT"
QDB_HTTP_BIND_TO=127.0.0.1:$QUESTDB_HTTP_PORT QDB_PG_NET_BIND_TO=127.0.0.1:$QUESTDB_PG_PORT \
  QDB_HTTP_USER=$QUESTDB_USER QDB_HTTP_PASSWORD=$QUESTDB_PASSWORD \
  QDB_PG_USER=$QUESTDB_USER QDB_PG_PASSWORD=$QUESTDB_PASSWORD \
  QDB_HTTP_MIN_ENABLED=false QDB_LINE_TCP_ENABLED=false QDB_LINE_UDP_ENABLED=false QDB_TELEMETRY_ENABLED=false \
  run questdb java -Xms64m -Xmx2g -p "$HS_QUESTDB_JAR" -m io.questdb/io.questdb.ServerMain -d "$DATA/questdb"
wait_port questdb "$QUESTDB_HTTP_PORT"
run mosquitto "$HS_MOSQUITTO" -c "$DATA/mosquitto/mosquitto.conf"
wait_port mosquitto "$MQTT_PORT"

# Services started here as they land; each gets its settings from the environment (HS_*).
export HS_NATS__URL="nats://127.0.0.1:$NATS_PORT" HS_NATS__USER="$NATS_USER" HS_NATS__PASSWORD="$NATS_PASSWORD"
export HS_QUESTDB__URL="http://127.0.0.1:$QUESTDB_HTTP_PORT" HS_QUESTDB__USER="$QUESTDB_USER" HS_QUESTDB__PASSWORD="$QUESTDB_PASSWORD"

# ingest: READINGS, DEVICES, ALERTS, DERIVED → QuestDB (declares its tables and roll-ups at start).
run ingest node "$HS_ROOT/services/ingest/src/main.ts"

cat <<EOT

heatstream is running (logs in .data/logs/, credentials in .data/secrets.env)
  NATS JetStream  nats://127.0.0.1:$NATS_PORT        user $NATS_USER
  QuestDB         http://127.0.0.1:$QUESTDB_HTTP_PORT     user $QUESTDB_USER (web console, REST, ILP/HTTP)
                  postgresql://127.0.0.1:$QUESTDB_PG_PORT/qdb
  Mosquitto       mqtt://127.0.0.1:$MQTT_PORT        user $MQTT_USER
Services: ingest (→ QuestDB). Replay a stream range with ./heatstream replay --help.
Press Ctrl-C to stop.
EOT
wait -n "${pids[@]}" || true
echo "[start] a server exited; see .data/logs/" >&2
exit 1
