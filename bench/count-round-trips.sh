#!/usr/bin/env bash
# bench/count-round-trips.sh CLI [N]: statements, round trips and commits per tenant of a fresh and a no-op migrate
# of N (default 20) PostgreSQL schemas, counted without timing: statements from log_statement=all, commits from
# pg_stat_database, round trips as the client's socket sends (strace). CLI is a published tenantmigrations (the
# Native AOT executable) or tenantmigrations.dll.
set -euo pipefail
CLI=${1:?usage: bench/count-round-trips.sh path/to/tenantmigrations[.dll] [N]}
RUN_CLI=("$CLI")
[[ "$CLI" == *.dll ]] && RUN_CLI=(dotnet "$CLI")
N=${2:-20}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
W=$(mktemp -d /tmp/tm-count.XXXXXX)
chmod 755 "$W"
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
RUN_AS=()
if [[ $(id -u) == 0 ]]; then chown postgres "$W"; RUN_AS=(runuser -u postgres --); fi
trap '"${RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$W/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$W"' EXIT
"${RUN_AS[@]}" "$PGBIN/initdb" -D "$W/data" -U postgres -A trust --no-sync > /dev/null
"${RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$W/data" -l "$W/log" -w start \
  -o "-c port=$PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$W -c log_statement=all -c log_line_prefix=%c:" > /dev/null
PSQL=(psql -X -q -At -h 127.0.0.1 -p "$PORT" -U postgres)
"${PSQL[@]}" -d postgres -c "CREATE DATABASE fleet"
reset() {
  "${PSQL[@]}" -d fleet -c "SET client_min_messages = warning; DROP SCHEMA IF EXISTS $(seq -f 't_%05g' -s, 1 "$N") CASCADE" > /dev/null
  "${PSQL[@]}" -d fleet -c "DO \$\$ BEGIN FOR i IN 1..$N LOOP EXECUTE format('CREATE SCHEMA t_%s', lpad(i::text, 5, '0')); END LOOP; END \$\$"
}
reset

count() {
  local label=$1; shift
  sleep 1
  local commits_before lines_before
  commits_before=$("${PSQL[@]}" -d postgres -c "SELECT xact_commit FROM pg_stat_database WHERE datname = 'fleet'")
  lines_before=$(wc -l < "$W/log")
  strace -f -qq -e trace=sendto,sendmsg -o "$W/strace.txt" "${RUN_CLI[@]}" "$@" > /dev/null 2>&1 || true
  sleep 1
  local commits statements sends
  commits=$(( $("${PSQL[@]}" -d postgres -c "SELECT xact_commit FROM pg_stat_database WHERE datname = 'fleet'") - commits_before ))
  statements=$(tail -n +$((lines_before + 1)) "$W/log" | grep -c 'LOG:  \(statement\|execute\)' || true)
  sends=$(grep -c 'sendto\|sendmsg' "$W/strace.txt" || true)
  printf '%-10s statements %6.1f  round trips %6.1f  commits %5.1f  per tenant\n' "$label" \
    "$(echo "scale=1; $statements / $N" | bc)" "$(echo "scale=1; $sends / $N" | bc)" "$(echo "scale=1; $commits / $N" | bc)"
}
ARGS=(--pg "Host=127.0.0.1;Port=$PORT;Username=postgres;Database=fleet" --schema-like 't\_%' --migrations "$ROOT/bench/migrations" --throttle 4)
count fresh migrate "${ARGS[@]}" --quiet --run-store "$W/runs"
count no-op migrate "${ARGS[@]}" --quiet --run-store "$W/runs"
count status status "${ARGS[@]}"
reset
count group migrate "${ARGS[@]}" --quiet --run-store "$W/runs" --group
