#!/usr/bin/env bash
# Starts heatstream on this machine: nats-server (JetStream), QuestDB, Mosquitto and every service,
# on loopback, with data under .data/ (kept between runs; HS_DATA moves it). Secrets are generated
# on first start into .data/secrets.env (mode 600, read only by this script and ./heatstream's
# admin and replay commands); each process gets only its own, from .data/secrets/<name>.env, as
# variables set for that process alone (nats-server: bcrypt hashes, no password). Each service has
# its own NATS user with the rights in contracts/src/access.ts. Without .data/acq-modbus.yaml (your
# devices), simulated devices are started and polled. Everything started here is supervised: a
# server or service that dies is started again, with backoff, and the console says so. Only one
# start per data folder: a second one names the running one and exits. Ctrl-C stops everything.
# Ports: HS_NATS_PORT 4222, HS_QUESTDB_HTTP_PORT 9000, HS_QUESTDB_PG_PORT 8812, HS_MQTT_PORT 1883,
# HS_GATEWAY_PORT 8080, HS_CELLULAR_HTTP_PORT 8085 (acq-cellular's HTTP batch endpoint), HS_SIMULATOR_PORT 5020 (its fault
# switch HS_SIMULATOR_CONTROL_PORT, the next port; its Viessmann API HS_VIESSMANN_SIM_PORT, the one after), the simulated
# Shellies HS_SHELLY_METER_PORT 8091 and HS_SHELLY_GATEWAY_PORT (the next), probes HS_PROBE_PORT_BASE+1… (9460).
# QuestDB's JVM options: HS_QUESTDB_JAVA_OPTS.
# Expects the tools from scripts/provision.sh on PATH (./heatstream start does that).
set -euo pipefail
cd "${HS_ROOT:?run through ./heatstream start}"
DATA=${HS_DATA:-$HS_ROOT/.data}
mkdir -p "$DATA"/{nats,questdb,mosquitto,logs,config}
chmod 700 "$DATA"

# One start per data folder. The lock is inherited by everything started below, so it is held as
# long as any of it still runs on this folder; checked before anything is written or stopped.
exec 9>>"$DATA/start.lock"
if ! flock -n 9; then
  running=$(cat "$DATA/start.pid" 2>/dev/null || echo '?')
  echo "[start] heatstream is already running on $DATA (pid $running); nothing was started or stopped." >&2
  echo "[start] Stop that one first (Ctrl-C in its terminal, or kill $running), or use another folder with HS_DATA=…" >&2
  exit 1
fi
echo $$ >"$DATA/start.pid"

NATS_PORT=${HS_NATS_PORT:-4222}
QUESTDB_HTTP_PORT=${HS_QUESTDB_HTTP_PORT:-9000}
QUESTDB_PG_PORT=${HS_QUESTDB_PG_PORT:-8812}
MQTT_PORT=${HS_MQTT_PORT:-1883}
GATEWAY_PORT=${HS_GATEWAY_PORT:-8080}
CELLULAR_HTTP_PORT=${HS_CELLULAR_HTTP_PORT:-8085}
SIMULATOR_PORT=${HS_SIMULATOR_PORT:-5020}
SIMULATOR_CONTROL_PORT=${HS_SIMULATOR_CONTROL_PORT:-$((SIMULATOR_PORT + 1))}
SHELLY_METER_PORT=${HS_SHELLY_METER_PORT:-8091}
SHELLY_GATEWAY_PORT=${HS_SHELLY_GATEWAY_PORT:-$((SHELLY_METER_PORT + 1))}
VIESSMANN_SIM_PORT=${HS_VIESSMANN_SIM_PORT:-$((SIMULATOR_PORT + 2))}
PROBE_PORT_BASE=${HS_PROBE_PORT_BASE:-9460}

# secrets.env keeps the full set; secrets/<process>.env what each process may see (deploy/secrets.ts).
node deploy/secrets.ts --fill "$DATA/secrets.env" --split "$DATA/secrets"
secret() { # name: one value of secrets.env, for this script only (never exported)
  sed -n "s/^$1=//p" "$DATA/secrets.env"
}
with_secrets() { # process command…: becomes the command, with that process's secrets in its
  # environment alone; so call it in a subshell or in the background (then $! is the command's pid).
  # `-`: none (Mosquitto here reads its password file, written below).
  local file="$DATA/secrets/$1.env" key value
  shift
  # Read, not sourced: nats' bcrypt hashes hold `$`, which the shell would expand.
  [[ $file == */-.env ]] || while IFS='=' read -r key value; do export "$key=$value"; done <"$file"
  exec "$@"
}

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

# Cellular devices: the inventory acq-cellular reads, and Mosquitto's password and ACL files made
# from it at every start (each device only its own topics; the service user `heatstream` all of
# them; ha-bridge and homeassistant theirs, contracts/src/broker.ts). Without an inventory the demo's two devices of site `remote` are added, their credentials
# written once to $DATA/cellular/<id>.env for the firmware's host build to read.
mkdir -p "$DATA/cellular" && chmod 700 "$DATA/cellular"
INVENTORY="$DATA/cellular/inventory.json"
if [ ! -f "$INVENTORY" ]; then
  for id in remote-1 remote-2; do
    node services/acq-cellular/src/cli.ts add-device "$id" --site remote --inventory "$INVENTORY" \
      --credentials-file "$DATA/cellular/$id.env" --mqtt-url "mqtt://127.0.0.1:$MQTT_PORT" \
      --http-url "http://127.0.0.1:$CELLULAR_HTTP_PORT" >/dev/null
  done
fi
(with_secrets mosquitto node services/acq-cellular/src/cli.ts broker-files --inventory "$INVENTORY" \
  --passwd "$DATA/mosquitto/passwd" --acl "$DATA/mosquitto/acl") >/dev/null
# Firmware in the loop (firmware/README.md): the demo's cellular devices of site `remote` are the
# firmware's host build; each gets only its own MQTT password, from its credentials file above.
cellular_devices=()
(umask 077 && : >"$DATA/secrets/cellular-sim.env")
for d in remote-1 remote-2; do
  [ -f "$DATA/cellular/$d.env" ] || continue
  cellular_devices+=("$d")
  echo "HS_DEVICE_PASSWORD_$(echo "${d^^}" | tr - _)=$(sed -n 's/^HS_MQTT_PASSWORD=//p' "$DATA/cellular/$d.env")" >>"$DATA/secrets/cellular-sim.env"
done
# A persistent session's queue (acq-cellular's) holds every QoS 1 message it has not taken yet, bounded
# by bytes, not by Mosquitto's default of 1,000 messages: past that it dropped readings the devices
# had been PUBACKed for (a reconnect storm of 500 devices, npm run load).
cat > "$DATA/mosquitto/mosquitto.conf" <<EOT
listener $MQTT_PORT 127.0.0.1
# Stay the user who started it: mosquitto would otherwise switch to "mosquitto", which cannot read the data folder.
user $(id -un)
allow_anonymous false
password_file $DATA/mosquitto/passwd
acl_file $DATA/mosquitto/acl
persistence true
persistence_location $DATA/mosquitto/
max_queued_messages 0
max_queued_bytes 268435456
EOT

servers=() # supervisors of nats-server, QuestDB, Mosquitto: stopped last
pids=()    # supervisors of the services
mkdir -p "$DATA/run" && rm -f "$DATA/run/stopping" "$DATA/run/failed"
stop_all() {
  # Once: a second Ctrl-C, or the SIGINT every process of the group gets, must not cut it short.
  trap '' INT TERM
  trap - EXIT
  [ $((${#pids[@]} + ${#servers[@]})) -gt 0 ] || return 0
  touch "$DATA/run/stopping" # supervisors see it and restart nothing from here on
  echo
  echo "[start] stopping"
  # Services first, so they can finish their work while NATS and QuestDB still answer.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill -TERM "${pids[i]}" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  for ((i = ${#servers[@]} - 1; i >= 0; i--)); do kill -TERM "${servers[i]}" 2>/dev/null || true; done
  wait || true
  echo "[start] stopped; data kept in $DATA"
}
trap stop_all EXIT
# Exits 1 when a supervisor gave up (it leaves run/failed and stops the start script with TERM).
trap 'stop_all; [ ! -e "$DATA/run/failed" ]; exit' INT TERM

# supervised name secrets command…: runs the command as that process (its secrets only, output to
# logs/<name>.log) and starts it again when it dies: after 1 s (0.2 s after a SIGKILL), then
# doubling while it keeps dying within 30 s of its start, up to 16 s; after 6 such deaths in a row
# everything is stopped.
# Prints its supervisor's pid in $supervisor.
supervised() {
  local name=$1 secrets=$2
  shift 2
  (
    trap '' INT # a terminal's Ctrl-C reaches the start script, which stops this one with TERM
    child= nap=
    trap 'kill -TERM $child $nap 2>/dev/null; wait; exit 0' TERM
    delay=1 quick=0
    stopping() { [ -e "$DATA/run/stopping" ]; }
    pause() { # a TERM ends the wait at once (and the trap the sleep); a bare sleep would hold it
      sleep "$1" &
      nap=$!
      wait $nap || true
      nap=
    }
    while true; do
      started=$SECONDS
      with_secrets "$secrets" "$@" >>"$DATA/logs/$name.log" 2>&1 &
      child=$!
      [ -n "${again:-}" ] && echo "[start] $name restarted (pid $child)" >&2
      code=0
      wait "$child" || code=$?
      child=
      # A service stopping by the same Ctrl-C as the start script must not look like a crash: give
      # the start script a moment to say it is stopping. A SIGKILL is no Ctrl-C: restart sooner.
      if ((code == 137)); then pause 0.2; else pause 1; fi
      stopping && exit 0
      if ((SECONDS - started < 30)); then quick=$((quick + 1)); else quick=0 delay=1; fi
      if ((quick >= 6)); then
        echo "[start] $name died $quick times in a row, each within 30 s; giving up. The end of logs/$name.log:" >&2
        tail -5 "$DATA/logs/$name.log" >&2
        touch "$DATA/run/failed"
        kill -TERM $$
        # Wait for the start script's TERM like every other supervisor: exiting here at once races
        # its stop (bash, in the trap, waited for this already-reaped pid and never stopped the servers).
        while true; do pause 1; done
      fi
      how="exited with code $code"
      ((code > 128)) && how="was killed by signal $(kill -l $((code - 128)))"
      when=now && ((delay > 1)) && when="in $delay s"
      echo "[start] $name $how; starting it again $when (see logs/$name.log)" >&2
      ((delay > 1)) && pause $((delay - 1))
      stopping && exit 0
      ((quick > 0)) && delay=$((delay * 2 > 16 ? 16 : delay * 2))
      again=1
    done
  ) &
  supervisor=$!
}
server() { # name secrets command…: a server, supervised, with its own secrets (`-`: none)
  local name=$1 secrets=$2
  shift 2
  supervised "$name" "$secrets" "$@"
  servers+=("$supervisor")
}
supervise() { # name command…: a service, supervised, with its own secrets
  local name=$1
  shift
  supervised "$name" "$name" "$@"
  pids+=("$supervisor")
}
port_free() { # name port variable: refuse to start beside something already listening there
  if (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null; then
    echo "[start] port $2 for $1 is taken by another program; stop it or choose another port with $3=…" >&2
    exit 1
  fi
}
for check in "nats $NATS_PORT HS_NATS_PORT" "questdb $QUESTDB_HTTP_PORT HS_QUESTDB_HTTP_PORT" "questdb $QUESTDB_PG_PORT HS_QUESTDB_PG_PORT" \
  "mosquitto $MQTT_PORT HS_MQTT_PORT" "acq-cellular $CELLULAR_HTTP_PORT HS_CELLULAR_HTTP_PORT" "gateway $GATEWAY_PORT HS_GATEWAY_PORT" \
  "simulators $SIMULATOR_PORT HS_SIMULATOR_PORT" "simulators $SIMULATOR_CONTROL_PORT HS_SIMULATOR_CONTROL_PORT" \
  "simulators $SHELLY_METER_PORT HS_SHELLY_METER_PORT" "simulators $SHELLY_GATEWAY_PORT HS_SHELLY_GATEWAY_PORT"; do
  # shellcheck disable=SC2086
  port_free $check
done
wait_port() { # name port: the process started last must open its port, or we stop with its log
  local pid=$supervisor
  for _ in $(seq 1 900); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null; then return 0; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "[start] $1 did not open port $2; the end of logs/$1.log:" >&2
  tail -5 "$DATA/logs/$1.log" >&2
  exit 1
}

server nats nats "$HS_NATS_SERVER" -c "$DATA/nats/nats.conf"
wait_port nats "$NATS_PORT"

# Provisioning: streams, durable consumers and KV buckets are created or converged by their own
# NATS user (`provision` in contracts/src/access.ts) before any service starts; the services'
# users may only verify them. It reads the settings the services read (HS_JETSTREAM__*,
# HS_API__SESSION_TTL_HOURS for the gateway's sessions bucket) from this environment, and only its
# own password. One-shot, not supervised: what it creates is kept in nats' store on disk, so a
# nats-server the supervisor restarts comes back with it and needs no second run.
(HS_NATS__URL="nats://127.0.0.1:$NATS_PORT" HS_NATS__USER=provision \
  with_secrets provision node packages/runtime/src/provision-cli.ts) >>"$DATA/logs/provision.log" 2>&1 \
  || { echo "[start] provisioning NATS failed; the end of logs/provision.log:" >&2; tail -5 "$DATA/logs/provision.log" >&2; exit 1; }

# C1 only (TieredStopAtLevel=1): on a busy 2-core machine QuestDB then starts, and comes back after
# a crash, in 5-8 s instead of 15-30 s (C2's compiler threads compete for the cores); its queries
# run mostly in native code, so little is lost. HS_QUESTDB_JAVA_OPTS replaces these options.
read -ra questdb_java_opts <<<"${HS_QUESTDB_JAVA_OPTS:--Xms64m -Xmx2g -XX:TieredStopAtLevel=1}"
QDB_HTTP_BIND_TO=127.0.0.1:$QUESTDB_HTTP_PORT QDB_PG_NET_BIND_TO=127.0.0.1:$QUESTDB_PG_PORT \
  QDB_HTTP_USER=heatstream QDB_PG_USER=heatstream \
  QDB_HTTP_MIN_ENABLED=false QDB_LINE_TCP_ENABLED=false QDB_LINE_UDP_ENABLED=false QDB_TELEMETRY_ENABLED=false \
  QDB_SHARED_NETWORK_WORKER_COUNT=1 QDB_SHARED_QUERY_WORKER_COUNT=1 QDB_SHARED_WRITE_WORKER_COUNT=1 \
  QDB_WAL_APPLY_WORKER_COUNT=1 QDB_MAT_VIEW_REFRESH_WORKER_COUNT=1 \
  server questdb questdb java "${questdb_java_opts[@]}" -p "$HS_QUESTDB_JAR" -m io.questdb/io.questdb.ServerMain -d "$DATA/questdb"
wait_port questdb "$QUESTDB_HTTP_PORT"
server mosquitto - "$HS_MOSQUITTO" -c "$DATA/mosquitto/mosquitto.conf"
wait_port mosquitto "$MQTT_PORT"

# Every service reads its settings from HS_* variables (packages/runtime/README.md).
export HS_NATS__URL="nats://127.0.0.1:$NATS_PORT"
export HS_QUESTDB__URL="http://127.0.0.1:$QUESTDB_HTTP_PORT" HS_QUESTDB__USER=heatstream
# Node's compile cache keeps each module's type-stripped and compiled code on disk: a warm start
# skips loading the TypeScript stripper and saves about 25 MB RSS per service (load/results/footprint.md).
export NODE_COMPILE_CACHE="$DATA/node-compile-cache"
# Warmed before the first start too (packages/runtime/src/compile-cache.ts), so no service pays
# for the stripper even once.
node "$HS_ROOT/packages/runtime/src/compile-cache.ts" "$HS_ROOT" >"$DATA/logs/compile-cache.log" 2>&1 \
  || echo "[start] warming Node's compile cache failed (services start anyway); see logs/compile-cache.log" >&2
# Each service's own figures at http://127.0.0.1:<probe port>/metrics (probes bind to loopback only).
export HS_HTTP__METRICS=true
probe_port=$PROBE_PORT_BASE
service() { # name [VAR=value …]: the service as its own NATS user (password from its secrets), probes on the next port
  local name=$1
  shift
  probe_port=$((probe_port + 1))
  echo "$name $probe_port" >>"$DATA/probes"
  supervise "$name" env HS_NATS__USER="$name" HS_HTTP__PORT="$probe_port" "$@" \
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
  demo=""
else
  # Demo mode: the simulators' devices, polled over loopback.
  sed -e "s/host: 0.0.0.0/host: 127.0.0.1/g" -e "s/port: 5020/port: $SIMULATOR_PORT/" -e "s/port: 5021/port: $SIMULATOR_CONTROL_PORT/" \
    -e "s/port: 5022/port: $VIESSMANN_SIM_PORT/" \
    -e "s/meterPort: 8091/meterPort: $SHELLY_METER_PORT/" -e "s/gatewayPort: 8092/gatewayPort: $SHELLY_GATEWAY_PORT/" \
    deploy/config/simulators.yaml >"$DATA/config/simulators.yaml"
  service simulators HS_CONFIG="$DATA/config/simulators.yaml"
  wait_port simulators "$SIMULATOR_PORT"
  wait_port simulators "$SHELLY_METER_PORT"
  sed -e "s/host: simulators/host: 127.0.0.1/g" -e "s/port: 5020/port: $SIMULATOR_PORT/g" deploy/config/acq-modbus.yaml >"$DATA/config/acq-modbus.yaml"
  devices="$DATA/config/acq-modbus.yaml"
  mode="simulated devices (put your own in $DATA/acq-modbus.yaml and $DATA/acq-shelly.yaml)"
  demo=1
  fault_hint=$'\n  Make a simulated device misbehave: curl -X PUT 127.0.0.1:'"$SIMULATOR_CONTROL_PORT"$'/faults -d \'{"mode":"exception","unitId":2}\'; DELETE clears it.'
fi
service acq-modbus HS_CONFIG="$devices" HS_OUTBOX__DIR="$DATA/outbox/acq-modbus"
# acq-shelly: your Shellies from $DATA/acq-shelly.yaml (their password: SHELLY_PASSWORD in
# secrets.env, or each entry's own), else in demo mode the simulated villa meter and room sensors.
shelly_devices="$DATA/acq-shelly.yaml"
if [ ! -f "$shelly_devices" ] && [ -n "$demo" ]; then
  sed -e "s/host: simulators/host: 127.0.0.1/g" -e "s/port: 8091/port: $SHELLY_METER_PORT/g" -e "s/port: 8092/port: $SHELLY_GATEWAY_PORT/g" \
    deploy/config/acq-shelly.yaml >"$DATA/config/acq-shelly.yaml"
  shelly_devices="$DATA/config/acq-shelly.yaml"
fi
if [ -f "$shelly_devices" ]; then
  service acq-shelly HS_CONFIG="$shelly_devices" HS_OUTBOX__DIR="$DATA/outbox/acq-shelly"
fi

# acq-viessmann: your account from $DATA/acq-viessmann.yaml (log in once: ./heatstream viessmann
# login), else in demo mode the simulated API, logged in by itself: the simulated IAM approves at
# once and the login CLI takes its redirect (--follow, loopback only).
viessmann_config="$DATA/acq-viessmann.yaml"
if [ ! -f "$viessmann_config" ] && [ -z "$demo" ]; then
  viessmann_config=""
elif [ ! -f "$viessmann_config" ]; then
  sed -e "s#simulators:5022#127.0.0.1:$VIESSMANN_SIM_PORT#g" deploy/config/acq-viessmann.yaml >"$DATA/config/acq-viessmann.yaml"
  viessmann_config="$DATA/config/acq-viessmann.yaml"
  for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$VIESSMANN_SIM_PORT") 2>/dev/null && break; sleep 0.1; done
  (HS_NATS__USER=acq-viessmann HS_CONFIG="$viessmann_config" \
    with_secrets acq-viessmann node services/acq-viessmann/src/login.ts login --follow) >"$DATA/logs/viessmann-login.log" 2>&1 \
    || { echo "[start] logging in to the simulated Viessmann API failed; see logs/viessmann-login.log" >&2; exit 1; }
fi
[ -z "$viessmann_config" ] || service acq-viessmann HS_CONFIG="$viessmann_config" HS_OUTBOX__DIR="$DATA/outbox/acq-viessmann"

# acq-cellular: the cellular devices of $DATA/cellular/inventory.json over MQTT and HTTP.
service acq-cellular HS_INVENTORY="$INVENTORY" HS_MQTT__URL="mqtt://127.0.0.1:$MQTT_PORT" \
  HS_BATCH_API__PORT="$CELLULAR_HTTP_PORT" HS_OUTBOX__DIR="$DATA/outbox/acq-cellular"
# cop: readings → daily COP and SCOP; the demo heat sources unless .data/cop.yaml pairs your own.
cop_sources="$DATA/cop.yaml"
[ -f "$cop_sources" ] || cop_sources=deploy/config/cop.yaml
service cop HS_CONFIG="$cop_sources"
# ha-bridge: every device's latest readings to Home Assistant (MQTT discovery) through Mosquitto.
service ha-bridge HS_MQTT__URL="mqtt://127.0.0.1:$MQTT_PORT"
make -s -C firmware build/heatpump-sim >"$DATA/logs/firmware-build.log" 2>&1 \
  || { echo "[start] building the firmware's host build failed; see logs/firmware-build.log" >&2; exit 1; }
# remote-2's cellular link drops for 3 minutes every 15, so its backlog arrives late.
[ ${#cellular_devices[@]} -eq 0 ] || supervise cellular-sim env HS_MQTT_ADDRESS="127.0.0.1:$MQTT_PORT" \
  HS_CELLULAR_DEVICES="$(IFS=,; echo "${cellular_devices[*]}")" HS_CELLULAR_FLAKY=remote-2 HS_CELLULAR_DIR="$DATA/cellular/sim" \
  node firmware/sim/run.ts

# The first dashboard user; later users: ./heatstream admin create-user NAME.
DASHBOARD_PASSWORD=$(secret DASHBOARD_PASSWORD)
(HS_NATS__USER=admin HS_NEW_PASSWORD=$DASHBOARD_PASSWORD \
  with_secrets operator node services/gateway/src/cli.ts create-user admin) >"$DATA/logs/admin.log" 2>&1 \
  || grep -q "exists already" "$DATA/logs/admin.log" \
  || { echo "[start] could not create the dashboard user; see logs/admin.log" >&2; exit 1; }

cat <<EOT

heatstream is running with $mode.
  Dashboard  http://127.0.0.1:$GATEWAY_PORT/   log in as admin, password: $DASHBOARD_PASSWORD
  NATS       nats://127.0.0.1:$NATS_PORT   QuestDB http://127.0.0.1:$QUESTDB_HTTP_PORT   MQTT mqtt://127.0.0.1:$MQTT_PORT
  Logs in $DATA/logs/, credentials in $DATA/secrets.env, probes listed in $DATA/probes.
  Alert rules and webhook/ntfy targets: $DATA/alerting.yaml (see services/alerting/README.md).
  Home Assistant: MQTT integration at 127.0.0.1:$MQTT_PORT, user homeassistant, password HOMEASSISTANT_MQTT_PASSWORD in $DATA/secrets.env.
  Replay a stream range: ./heatstream replay --help. Users and tokens: ./heatstream admin.$fault_hint
Press Ctrl-C to stop.
EOT
wait
