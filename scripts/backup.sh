#!/usr/bin/env bash
# ./heatstream backup [DIR] [--questdb] and ./heatstream restore DIR [--force] (README: "Backup and
# restore"). Every JetStream stream — the event streams and the KV buckets' KV_* streams — is
# saved with the NATS CLI's stream snapshots (`nats backup stream`: the server's snapshot API,
# which keeps sequences, timestamps and the durable consumers with their positions), rather than
# copying nats' store or reading the streams by hand. As the operator's NATS user `admin`, whose
# password only this script reads from secrets.env (nats-server gets its bcrypt hash, as at start).
# Against the running `./heatstream start` of HS_DATA when there is one, else against a nats-server
# started here for the time of the command on that data folder's store, on loopback only. With
# HS_NATS__URL and HS_NATS__PASSWORD (the admin's: compose's or k8s' NATS) against that NATS only:
# streams and buckets, no secrets.env and no QuestDB.
set -euo pipefail
umask 077 # a backup holds secrets, and a data folder is only its user's
cd "${HS_ROOT:?run through ./heatstream backup or restore}"
DATA=${HS_DATA:-$HS_ROOT/.data}
NATS_PORT=${HS_NATS_PORT:-4222}
QUESTDB_HTTP_PORT=${HS_QUESTDB_HTTP_PORT:-9000}
NATS=$HS_ROOT/.tools/bin/nats
cmd=$1
shift

say() { printf '[%s] %s\n' "$cmd" "$*" >&2; }
fail() { printf '[%s] %s\n' "$cmd" "$*" >&2; exit 1; }

dir="" questdb="" force=""
for arg in "$@"; do
  case "$arg" in
    --questdb) [ "$cmd" = backup ] || fail "--questdb is an option of backup"; questdb=1 ;;
    --force) [ "$cmd" = restore ] || fail "--force is an option of restore"; force=1 ;;
    -h | --help)
      echo "usage: ./heatstream backup [DIR] [--questdb]   ./heatstream restore DIR [--force]  (README: Backup and restore)"
      exit 0 ;;
    -*) fail "unknown option $arg" ;;
    *) [ -z "$dir" ] || fail "name one directory (got $dir and $arg)"; dir=$arg ;;
  esac
done

# Whether a ./heatstream start runs on DATA: it holds start.lock as long as anything it started runs.
running() {
  [ -e "$DATA/start.lock" ] || return 1
  ! flock -n "$DATA/start.lock" true
}

# The NATS CLI's connection, from its environment (never its command line, which others can read).
nats_env() { # secrets file
  local password
  password=$(sed -n 's/^NATS_PASSWORD_ADMIN=//p' "$1")
  [ -n "$password" ] || fail "$1 has no NATS_PASSWORD_ADMIN"
  export NATS_URL="nats://127.0.0.1:$NATS_PORT" NATS_USER=admin NATS_PASSWORD="$password"
}

nats_pid=""
stop_nats() {
  [ -z "$nats_pid" ] && return 0
  kill -TERM "$nats_pid" 2>/dev/null || true
  wait "$nats_pid" 2>/dev/null || true
  nats_pid=""
}
trap stop_nats EXIT

# A nats-server on DATA's store with the one user `admin` (its bcrypt hash from secrets/nats.env,
# as ./heatstream start gives it), for a backup or restore while the system is stopped. Nothing
# else can connect, so nothing writes while the streams are read or restored.
temp_nats() {
  (exec 3<>"/dev/tcp/127.0.0.1/$NATS_PORT") 2>/dev/null &&
    fail "port $NATS_PORT (HS_NATS_PORT) is taken by another program; stop it or choose another port with HS_NATS_PORT=…"
  node deploy/secrets.ts --fill "$DATA/secrets.env" --split "$DATA/secrets" 2>/dev/null
  mkdir -p "$DATA/nats/store" "$DATA/logs"
  cat >"$DATA/nats/backup.conf" <<EOT
listen: "127.0.0.1:$NATS_PORT"
server_name: heatstream-local
jetstream { store_dir: "$DATA/nats/store" }
authorization { users: [ { user: "admin", password: \$NATS_PASSWORD_ADMIN } ] }
EOT
  local hash
  hash=$(sed -n 's/^NATS_PASSWORD_ADMIN=//p' "$DATA/secrets/nats.env")
  NATS_PASSWORD_ADMIN=$hash "${HS_NATS_SERVER:-$HS_ROOT/.tools/bin/nats-server}" -c "$DATA/nats/backup.conf" \
    >>"$DATA/logs/nats-$cmd.log" 2>&1 &
  nats_pid=$!
  for _ in $(seq 1 300); do
    if "$NATS" account info >/dev/null 2>&1; then return 0; fi
    kill -0 "$nats_pid" 2>/dev/null || break
    sleep 0.1
  done
  tail -5 "$DATA/logs/nats-$cmd.log" >&2
  fail "nats-server on $DATA/nats/store did not start; see logs/nats-$cmd.log"
}

progress=--no-progress
[ -t 2 ] && progress=--progress

# QuestDB's SQL over HTTP as its user; the password goes to curl on stdin, not its command line.
questdb_sql() { # query
  local password
  password=$(sed -n 's/^QUESTDB_PASSWORD=//p' "$DATA/secrets.env")
  printf 'user = "heatstream:%s"\n' "$password" |
    curl -fsS -K - -G "http://127.0.0.1:$QUESTDB_HTTP_PORT/exec" --data-urlencode "query=$1" >/dev/null
}

external() { [ -n "${HS_NATS__URL:-}" ]; }
external_env() {
  [ -n "${HS_NATS__PASSWORD:-}" ] || fail "HS_NATS__URL is set: set HS_NATS__PASSWORD too (NATS_PASSWORD_ADMIN of your secrets)"
  export NATS_URL=$HS_NATS__URL NATS_USER=${HS_NATS__USER:-admin} NATS_PASSWORD=$HS_NATS__PASSWORD
  say "against the NATS at $HS_NATS__URL as ${NATS_USER}"
}

backup() {
  external || [ -f "$DATA/secrets.env" ] || fail "no $DATA/secrets.env: nothing was started on $DATA (HS_DATA chooses the folder)"
  dir=${dir:-$HS_ROOT/backups/heatstream-$(date -u +%Y%m%dT%H%M%SZ)}
  if [ -e "$dir" ] && [ -n "$(ls -A "$dir")" ]; then fail "$dir is not empty; name a new directory"; fi
  # It holds secrets (secrets.env, the OAuth tokens in KV_viessmann_state): only for this user.
  (umask 077 && mkdir -p "$dir/streams")
  chmod 700 "$dir"
  if external; then
    [ -z "$questdb" ] || fail "--questdb copies the QuestDB of ./heatstream start; with HS_NATS__URL, back up QuestDB's volume yourself (README)"
    external_env
  elif running; then
    nats_env "$DATA/secrets.env"
    say "backing up the running system on $DATA"
  else
    [ -z "$questdb" ] || fail "--questdb needs the running system (QuestDB's checkpoint); start it or leave --questdb out"
    nats_env "$DATA/secrets.env"
    say "the system is not running; reading $DATA/nats/store with a nats-server of its own"
    temp_nats
  fi
  local names total=0 stream
  names=$("$NATS" stream ls --names)
  [ -n "$names" ] || fail "NATS has no streams to back up"
  for stream in $names; do
    local messages
    messages=$("$NATS" stream info "$stream" --json | jq -r .state.messages)
    say "$stream: $messages messages"
    # With the durable consumers, so a restored system continues where each service was.
    "$NATS" backup stream "$stream" "$dir/streams/$stream" --consumers "$progress" >/dev/null \
      || fail "backing up stream $stream failed"
    total=$((total + messages))
  done
  external || cp "$DATA/secrets.env" "$dir/secrets.env"
  if [ -n "$questdb" ]; then
    # A checkpoint keeps QuestDB's files consistent for copying while it goes on taking writes
    # (into its WAL, applied after the release).
    say "QuestDB: checkpoint, copy of $DATA/questdb"
    questdb_sql 'CHECKPOINT CREATE' || fail "QuestDB refused CHECKPOINT CREATE"
    local copied=0
    # QuestDB's root without its logs; taken after the streams, so it holds at least every row
    # the restored ingest consumers have acknowledged (rows beyond them are only extra).
    # Files QuestDB goes on appending to (or trims past their data) change while tar reads them:
    # allowed in checkpoint mode, whose recovery keeps only what the checkpoint recorded. So tar's
    # exit 1 ("some files changed") is fine here, 2 is not.
    (cd "$DATA/questdb" && tar czf "$dir/questdb.tar.gz" --warning=no-file-changed --warning=no-file-shrank \
      --exclude=./log --exclude=./public .) || copied=$?
    [ "$copied" != 1 ] || copied=0
    questdb_sql 'CHECKPOINT RELEASE' || say "warning: CHECKPOINT RELEASE failed; QuestDB applies no WAL until it is released or restarted"
    [ "$copied" = 0 ] || fail "copying QuestDB's files failed"
  fi
  cat >"$dir/manifest.txt" <<EOT
heatstream backup of $(date -u +%Y-%m-%dT%H:%M:%SZ)
streams: $(echo "$names" | tr '\n' ' ')
messages: $total
questdb: $([ -n "$questdb" ] && echo included || echo "not included (restore rebuilds it from the streams)")
EOT
  say "done: $(echo "$names" | wc -w) streams, $total messages$([ -n "$questdb" ] && echo ', QuestDB') in $dir"
}

restore() {
  [ -n "$dir" ] || fail "name the backup directory: ./heatstream restore DIR"
  [ -d "$dir/streams" ] || fail "$dir is no heatstream backup (no streams/ in it)"
  if external; then
    [ ! -f "$dir/questdb.tar.gz" ] || fail "this backup holds a QuestDB copy of ./heatstream start; restore it there (without HS_NATS__URL)"
    # No start.lock to look at there: the services are the operator's to stop first (README).
    external_env
  else
    mkdir -p "$DATA" && chmod 700 "$DATA"
    if [ ! -f "$DATA/secrets.env" ]; then
      [ -f "$dir/secrets.env" ] || fail "$DATA has no secrets.env and the backup none either"
      cp "$dir/secrets.env" "$DATA/secrets.env"
      say "secrets.env taken from the backup"
    elif [ -f "$dir/secrets.env" ] && ! cmp -s "$dir/secrets.env" "$DATA/secrets.env"; then
      say "keeping $DATA/secrets.env, which differs from the backup's: users log in with their own passwords"
    fi
    nats_env "$DATA/secrets.env"
    if running; then
      [ -n "$force" ] || fail "heatstream is running on $DATA (pid $(cat "$DATA/start.pid" 2>/dev/null || echo '?')); stop it first, or --force to overwrite its streams"
      say "restoring into the running system (--force): stop and start it right after, so provisioning recreates the consumers the restore replaced"
    else
      temp_nats
    fi
  fi
  local stream existing
  existing=$("$NATS" stream ls --names)
  for stream in $existing; do
    [ -d "$dir/streams/$stream" ] || continue
    local messages
    messages=$("$NATS" stream info "$stream" --json | jq -r .state.messages)
    if [ "$messages" != 0 ] && [ -z "$force" ]; then
      fail "stream $stream already holds $messages messages; restore onto a wiped data folder, or --force to replace them"
    fi
    "$NATS" stream rm -f "$stream" >/dev/null
  done
  local count=0 total=0
  for path in "$dir"/streams/*/; do
    stream=$(basename "$path")
    say "$stream: restoring"
    "$NATS" backup restore stream "$path" "$progress" >/dev/null || fail "restoring stream $stream failed"
    local messages
    messages=$("$NATS" stream info "$stream" --json | jq -r .state.messages)
    say "$stream: $messages messages"
    count=$((count + 1)) total=$((total + messages))
  done
  if [ -f "$dir/questdb.tar.gz" ]; then
    say "QuestDB: its files from the backup"
    rm -rf "$DATA/questdb" && mkdir -p "$DATA/questdb"
    tar xzf "$dir/questdb.tar.gz" -C "$DATA/questdb"
    # QuestDB's recovery from a checkpoint copy: it runs at its next start when it finds this file.
    touch "$DATA/questdb/_restore"
  else
    # QuestDB is a projection of the streams: rebuilt by ingest itself. Its durable consumers are
    # removed here (they were restored at the position of the backup, after all the rows an empty
    # QuestDB lacks); the next start's provisioning creates them again from the first message, and
    # ingest writes the whole streams, the live readings among them, by its ordinary path (DEDUP
    # UPSERT keys make repeats harmless). The other services' consumers keep their positions, so
    # no alert is raised again and no COP day counted twice. Readings older than READINGS keeps
    # (30 days) are gone from such a rebuild: back up with --questdb to keep the longer history.
    local durables durable
    durables=$(node --input-type=module -e \
      "const { consumers } = await import('./contracts/src/streams.ts'); for (const c of consumers) if (c.durable.startsWith('ingest-')) console.log(c.stream, c.durable);")
    while read -r stream durable; do
      "$NATS" consumer info "$stream" "$durable" >/dev/null 2>&1 || continue
      "$NATS" consumer rm -f "$stream" "$durable" >/dev/null
    done <<<"$durables"
    say "QuestDB: not in the backup; ingest rebuilds it from the streams at the next start (ingest's consumers start over)"
  fi
  if external; then
    say "done: $count streams, $total messages restored into $NATS_URL; now start provisioning and the services"
  else
    say "done: $count streams, $total messages restored into $DATA; start it with ./heatstream start"
  fi
}

case "$cmd" in
  backup) backup ;;
  restore) restore ;;
  *) fail "backup or restore" ;;
esac
