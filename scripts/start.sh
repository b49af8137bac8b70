#!/usr/bin/env bash
# Starts heatstream on this machine: nats-server (JetStream), QuestDB, Mosquitto and every service,
# on loopback, with data under .data/ (kept between runs; HS_DATA moves it). Secrets are generated
# on first start into .data/secrets.env (mode 600); each service has its own NATS user with the
# rights in contracts/src/access.ts. Without .data/acq-modbus.yaml (your devices), simulated
# devices are started and polled. A service that crashes is restarted; Ctrl-C stops everything.
# Ports: HS_NATS_PORT 4222, HS_QUESTDB_HTTP_PORT 9000, HS_QUESTDB_PG_PORT 8812, HS_MQTT_PORT 1883,
# HS_GATEWAY_PORT 8080, HS_SIMULATOR_PORT 5020 (its fault switch HS_SIMULATOR_CONTROL_PORT, the next port), probes HS_PROBE_PORT_BASE+1… (9460).
# Expects the tools from scripts/provision.sh on PATH (./heatstream start does that).
set -euo pipefail
cd "${HS_ROOT:?run through ./heatstream start}"
DATA=${HS_DATA:-$HS_ROOT/.data}
mkdir -p "$DATA"/{nats,questdb,mosquitto,logs,config}
chmod 700 "$DATA"

NATS_PORT=${HS_NATS_PORT:-4222}
QUESTDB_HTTP_PORT=${HS_QUESTDB_HTTP_PORT:-9000}
QUESTDB_PG_PORT=${HS_QUESTDB_PG_PORT:-8812}
MQTT_PORT=${HS_MQTT_PORT:-1883}
GATEWAY_PORT=${HS_GATEWAY_PORT:-8080}
SIMULATOR_PORT=${HS_SIMULATOR_PORT:-5020}
SIMULATOR_CONTROL_PORT=${HS_SIMULATOR_CONTROL_PORT:-$((SIMULATOR_PORT + 1))}
PROBE_PORT_BASE=${HS_PROBE_PORT_BASE:-9460}

node deploy/secrets.ts --fill "$DATA/secrets.env"
set -a
# shellcheck disable=SC1091
source "$DATA/secrets.env" # exported: nats-server reads the services' passwords from its environment
set +a

# The rights of deploy/nats-auth.conf, with acq-modbus limited to the devices of the config it will
# run with (yours, else the demo's): a changed device list gets its rights at the next start.
acq_devices="$DATA/acq-modbus.yaml"
[ -f "$acq_devices" ] || acq_devices=deploy/config/acq-modbus.yaml
node deploy/generate.ts --nats-auth "$acq_devices" >"$DATA/nats/nats-auth.conf"
cat > "$DATA/nats/nats.conf" <<EOT
listen: "127.0.0.1:$NATS_PORT"
server_name: heatstream-local
jetstream { store_dir: "$DATA/nats/store" }
include ./nats-auth.conf
EOT

touch "$DATA/mosquitto/passwd" && chmod 600 "$DATA/mosquitto/passwd"
mosquitto_passwd -b "$DATA/mosquitto/passwd" heatstream "$MQTT_PASSWORD"
cat > "$DATA/mosquitto/mosquitto.conf" <<EOT
listener $MQTT_PORT 127.0.0.1
# Stay the user who started it: mosquitto would otherwise switch to "mosquitto", which cannot read the data folder.
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
  echo "[start] stopped; data kept in $DATA"
}
trap stop_all EXIT
trap 'stop_all; exit 0' INT TERM

run() { # name, then the command; output goes to logs/<name>.log
  local name=$1
  shift
  "$@" >>"$DATA/logs/$name.log" 2>&1 &
  pids+=($!)
}
supervise() { # like run, but a crashed service is started again
  local name=$1
  shift
  (
    child=
    trap '[ -n "$child" ] && kill -TERM "$child" 2>/dev/null; wait; exit 0' TERM INT
    while true; do
      "$@" >>"$DATA/logs/$name.log" 2>&1 &
      child=$!
      code=0
      wait "$child" || code=$?
      echo "[start] $name exited with code $code; starting it again in 2 s (see logs/$name.log)" >&2
      sleep 2
    done
  ) &
  pids+=($!)
}
port_free() { # name port variable: refuse to start beside something already listening there
  if (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null; then
    echo "[start] port $2 for $1 is taken by another program; stop it or choose another port with $3=…" >&2
    exit 1
  fi
}
for check in "nats $NATS_PORT HS_NATS_PORT" "questdb $QUESTDB_HTTP_PORT HS_QUESTDB_HTTP_PORT" "questdb $QUESTDB_PG_PORT HS_QUESTDB_PG_PORT" \
  "mosquitto $MQTT_PORT HS_MQTT_PORT" "gateway $GATEWAY_PORT HS_GATEWAY_PORT" "simulators $SIMULATOR_PORT HS_SIMULATOR_PORT" \
  "simulators $SIMULATOR_CONTROL_PORT HS_SIMULATOR_CONTROL_PORT"; do
  # shellcheck disable=SC2086
  port_free $check
done
wait_port() { # name port: the process started last must open its port, or we stop with its log
  local pid=${pids[-1]}
  for _ in $(seq 1 900); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null; then return 0; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "[start] $1 did not open port $2; the end of logs/$1.log:" >&2
  tail -5 "$DATA/logs/$1.log" >&2
  exit 1
}

run nats "$HS_NATS_SERVER" -c "$DATA/nats/nats.conf"
wait_port nats "$NATS_PORT"

# Provisioning: streams, durable consumers and KV buckets are created or converged by their own
# NATS user (`provision` in contracts/src/access.ts) before any service starts; the services'
# users may only verify them. It reads the settings the services read (HS_JETSTREAM__*,
# HS_API__SESSION_TTL_HOURS for the gateway's sessions bucket) from this environment.
HS_NATS__URL="nats://127.0.0.1:$NATS_PORT" HS_NATS__USER=provision HS_NATS__PASSWORD="$NATS_PASSWORD_PROVISION" \
  node packages/runtime/src/provision-cli.ts >>"$DATA/logs/provision.log" 2>&1 \
  || { echo "[start] provisioning NATS failed; the end of logs/provision.log:" >&2; tail -5 "$DATA/logs/provision.log" >&2; exit 1; }
QDB_HTTP_BIND_TO=127.0.0.1:$QUESTDB_HTTP_PORT QDB_PG_NET_BIND_TO=127.0.0.1:$QUESTDB_PG_PORT \
  QDB_HTTP_USER=heatstream QDB_HTTP_PASSWORD=$QUESTDB_PASSWORD \
  QDB_PG_USER=heatstream QDB_PG_PASSWORD=$QUESTDB_PASSWORD \
  QDB_HTTP_MIN_ENABLED=false QDB_LINE_TCP_ENABLED=false QDB_LINE_UDP_ENABLED=false QDB_TELEMETRY_ENABLED=false \
  run questdb java -Xms64m -Xmx2g -p "$HS_QUESTDB_JAR" -m io.questdb/io.questdb.ServerMain -d "$DATA/questdb"
wait_port questdb "$QUESTDB_HTTP_PORT"
run mosquitto "$HS_MOSQUITTO" -c "$DATA/mosquitto/mosquitto.conf"
wait_port mosquitto "$MQTT_PORT"

# Every service reads its settings from HS_* variables (packages/runtime/README.md).
export HS_NATS__URL="nats://127.0.0.1:$NATS_PORT"
export HS_QUESTDB__URL="http://127.0.0.1:$QUESTDB_HTTP_PORT" HS_QUESTDB__USER=heatstream HS_QUESTDB__PASSWORD="$QUESTDB_PASSWORD"
probe_port=$PROBE_PORT_BASE
service() { # name [VAR=value …]: the service as its own NATS user, probes on the next port
  local name=$1
  shift
  local password_var
  password_var="NATS_PASSWORD_$(echo "$name" | tr 'a-z-' 'A-Z_')"
  probe_port=$((probe_port + 1))
  echo "$name $probe_port" >>"$DATA/probes"
  supervise "$name" env HS_NATS__USER="$name" HS_NATS__PASSWORD="${!password_var}" HS_HTTP__PORT="$probe_port" "$@" \
    node "$HS_ROOT/services/$name/src/main.ts"
}
: >"$DATA/probes"

npx --no-install vite build services/dashboard --logLevel warn >"$DATA/logs/dashboard-build.log" 2>&1 \
  || { echo "[start] building the dashboard failed; see logs/dashboard-build.log" >&2; exit 1; }

# ingest: READINGS, DEVICES, ALERTS, DERIVED → QuestDB (declares its tables and roll-ups at start).
service ingest
service gateway HS_API__PORT="$GATEWAY_PORT" HS_API__PUBLIC_DIR="$HS_ROOT/services/dashboard/dist"
wait_port gateway "$GATEWAY_PORT"
# alerting: rules and notification targets from $DATA/alerting.yaml when it exists, else the demo's
# (the default rules, no targets).
alerting_config="$DATA/alerting.yaml"
[ -f "$alerting_config" ] || alerting_config="$HS_ROOT/deploy/config/alerting.yaml"
service alerting HS_CONFIG="$alerting_config"

devices="$DATA/acq-modbus.yaml"
if [ -f "$devices" ]; then
  mode="your devices from $devices"
  fault_hint=""
else
  # Demo mode: the simulators' devices, polled over loopback.
  sed -e "s/host: 0.0.0.0/host: 127.0.0.1/" -e "s/port: 5020/port: $SIMULATOR_PORT/" -e "s/port: 5021/port: $SIMULATOR_CONTROL_PORT/" deploy/config/simulators.yaml >"$DATA/config/simulators.yaml"
  service simulators HS_CONFIG="$DATA/config/simulators.yaml"
  wait_port simulators "$SIMULATOR_PORT"
  sed -e "s/host: simulators/host: 127.0.0.1/g" -e "s/port: 5020/port: $SIMULATOR_PORT/g" deploy/config/acq-modbus.yaml >"$DATA/config/acq-modbus.yaml"
  devices="$DATA/config/acq-modbus.yaml"
  mode="simulated devices (put your own in $DATA/acq-modbus.yaml)"
  fault_hint=$'\n  Make a simulated device misbehave: curl -X PUT 127.0.0.1:'"$SIMULATOR_CONTROL_PORT"$'/faults -d \'{"mode":"exception","unitId":2}\'; DELETE clears it.'
fi
service acq-modbus HS_CONFIG="$devices" HS_OUTBOX__DIR="$DATA/outbox/acq-modbus"
# cop: readings → daily COP and SCOP; the demo heat sources unless .data/cop.yaml pairs your own.
cop_sources="$DATA/cop.yaml"
[ -f "$cop_sources" ] || cop_sources=deploy/config/cop.yaml
service cop HS_CONFIG="$cop_sources"

# The first dashboard user; later users: ./heatstream admin create-user NAME.
HS_NATS__USER=admin HS_NATS__PASSWORD="$NATS_PASSWORD_ADMIN" HS_NEW_PASSWORD="$DASHBOARD_PASSWORD" \
  node services/gateway/src/cli.ts create-user admin >"$DATA/logs/admin.log" 2>&1 \
  || grep -q "exists already" "$DATA/logs/admin.log" \
  || { echo "[start] could not create the dashboard user; see logs/admin.log" >&2; exit 1; }

cat <<EOT

heatstream is running with $mode.
  Dashboard  http://127.0.0.1:$GATEWAY_PORT/   log in as admin, password: $DASHBOARD_PASSWORD
  NATS       nats://127.0.0.1:$NATS_PORT   QuestDB http://127.0.0.1:$QUESTDB_HTTP_PORT   MQTT mqtt://127.0.0.1:$MQTT_PORT
  Logs in $DATA/logs/, credentials in $DATA/secrets.env, probes listed in $DATA/probes.
  Alert rules and webhook/ntfy targets: $DATA/alerting.yaml (see services/alerting/README.md).
  Replay a stream range: ./heatstream replay --help. Users and tokens: ./heatstream admin.$fault_hint
Press Ctrl-C to stop.
EOT
wait
