#!/usr/bin/env bash
# bench/run.sh CASE [N]: times TenantMigrations against the engine's own client (the floor: the same SQL through
# 2 sessions, a transaction per migration, no journal) and against a knex loop (bench/peers/knex), on private servers
# that it starts and removes. A fresh migrate is also timed for the floor with our journal writes (bench/journal-floor.py),
# which shows what the journal alone costs the server. Cases: pg-schemas (N 1000), pg-databases (50), mariadb (500), sqlite (2000).
# Environment: REPS (3) alternating repetitions, THROTTLE (4) tenants at once for ours and the knex loop,
# KEEP=1 keeps the work folder, BENCH_CLI=folder uses an already published CLI, OURS_FLAGS='--group' adds flags to
# our migrate, STEADY=1 times only the no-op and status (ours and the floor's) after one untimed fresh migrate by
# ours: the 10,000-tenant case. Prints medians (wall, client CPU = user+sys, peak RSS) with ratios and the machine.
set -euo pipefail

CASE=${1:-pg-schemas}
case "$CASE" in
  pg-schemas) N=${2:-1000} ;;
  pg-databases) N=${2:-50} ;;
  mariadb) N=${2:-500} ;;
  sqlite) N=${2:-2000} ;;
  *) echo "usage: bench/run.sh pg-schemas|pg-databases|mariadb|sqlite [N]" >&2; exit 2 ;;
esac
[[ "$N" =~ ^[1-9][0-9]*$ ]] || { echo "bench/run.sh: N must be a positive number, not '$N'" >&2; exit 2; }
REPS=${REPS:-3}
THROTTLE=${THROTTLE:-4}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MIGRATIONS="$ROOT/bench/migrations"
KNEX="$ROOT/bench/peers/knex"
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
W=$(mktemp -d /tmp/tm-bench.XXXXXX)
chmod 755 "$W"
RESULTS="$W/results.txt"
: > "$RESULTS"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

SERVER_STOP=()
cleanup() {
  local stop
  for stop in "${SERVER_STOP[@]}"; do eval "$stop" >/dev/null 2>&1 || true; done
  if [[ "${KEEP:-}" == 1 ]]; then echo "work folder kept: $W" >&2; else rm -rf "$W"; fi
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
tenant() { printf 't_%05d' "$1"; }
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

# Runs a command under /usr/bin/time, appends "LABEL wall cpu rss_kb" to the results; a failure stops the bench.
timed() {
  local label=$1; shift
  if ! /usr/bin/time -f '%e %U %S %M' -o "$W/time.txt" "$@" > "$W/out.txt" 2> "$W/err.txt"; then
    echo "bench/run.sh: '$label' failed:" >&2; tail -20 "$W/err.txt" >&2; tail -5 "$W/out.txt" >&2; exit 1
  fi
  read -r wall user sys rss < <(tail -1 "$W/time.txt")
  echo "$label $wall $(echo "$user + $sys" | bc) $rss" >> "$RESULTS"
  log "$label: ${wall}s wall, $(echo "$user + $sys" | bc)s cpu, $((rss / 1024)) MB"
}

# --- build ------------------------------------------------------------------------------------------------------
CLI_DIR=${BENCH_CLI:-$W/cli}
if [[ -z "${BENCH_CLI:-}" ]]; then
  log "building the Release CLI"
  dotnet publish "$ROOT/src/TenantMigrations.Cli" -c Release -f net10.0 -r linux-x64 -o "$CLI_DIR" -nologo -v q > "$W/publish.log" 2>&1 || { tail -20 "$W/publish.log" >&2; exit 1; }
fi
OURS=("$CLI_DIR/tenantmigrations")
[[ -x "${OURS[0]}" ]] || OURS=(dotnet "$CLI_DIR/tenantmigrations.dll")
if [[ ! -d "$KNEX/node_modules" ]]; then log "npm ci in bench/peers/knex"; (cd "$KNEX" && npm ci --no-audit --no-fund >/dev/null); fi
if [[ "$CASE" == sqlite ]] && ! (cd "$KNEX" && node -e "new (require('better-sqlite3'))(':memory:')" 2>/dev/null); then
  log "building better-sqlite3 for the knex loop (compiles SQLite: a few minutes)"
  (cd "$KNEX" && npm rebuild better-sqlite3 >/dev/null)
fi

# --- servers and fleets -----------------------------------------------------------------------------------------
seq_tenants() { for ((i = 1; i <= N; i++)); do tenant "$i"; echo; done; }
seq_tenants > "$W/tenants.txt"

if [[ "$CASE" == pg-* ]]; then
  PORT=$(free_port)
  mkdir -p "$W/pg"
  RUN_AS=()
  if [[ $(id -u) == 0 ]]; then chown postgres "$W/pg"; RUN_AS=(runuser -u postgres --); fi
  "${RUN_AS[@]}" "$PGBIN/initdb" -D "$W/pg/data" -U postgres -A trust --no-sync > "$W/initdb.log"
  "${RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$W/pg/data" -l "$W/pg/log" -w start \
    -o "-c port=$PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$W/pg -c max_connections=300 -c max_locks_per_transaction=1024" > /dev/null
  SERVER_STOP+=("${RUN_AS[*]} $PGBIN/pg_ctl -D $W/pg/data -m immediate stop")
  PSQL=(psql -X -q -v ON_ERROR_STOP=1 -o /dev/null -h 127.0.0.1 -p "$PORT" -U postgres)
  export PGOPTIONS="-c client_min_messages=warning"
  export BENCH_PORT=$PORT BENCH_USER=postgres BENCH_DATABASE=fleet
  "${PSQL[@]}" -d postgres -c "CREATE DATABASE fleet"
  if [[ "$CASE" == pg-schemas ]]; then
    SELECT_OURS=(--pg "Host=127.0.0.1;Port=$PORT;Username=postgres;Database=fleet" --schema-like 't\_%')
    reset_fleet() {
      "${PSQL[@]}" -d fleet -c "DO \$\$ DECLARE s text; BEGIN FOR s IN SELECT nspname FROM pg_namespace WHERE nspname LIKE 't\\_%' LOOP EXECUTE format('DROP SCHEMA %I CASCADE', s); END LOOP; FOR i IN 1..$N LOOP EXECUTE format('CREATE SCHEMA t_%s', lpad(i::text, 5, '0')); END LOOP; END \$\$"
    }
    enter() { printf 'SET search_path TO %s;\n' "$1"; }
    journal_of() { printf '%s.tenant_migrations_history' "$1"; }
    count_views() { "${PSQL[@]}" -d fleet -At -o /dev/stdout -c "SELECT count(*) FROM pg_views WHERE viewname = 'order_totals' AND schemaname LIKE 't\\_%'"; }
  else
    {
      echo '['
      for ((i = 1; i <= N; i++)); do
        printf '  { "name": "%s", "engine": "postgres", "connectionString": "Host=127.0.0.1;Port=%s;Username=postgres;Database=%s" }%s\n' "$(tenant "$i")" "$PORT" "$(tenant "$i")" "$([[ $i -lt $N ]] && echo ,)"
      done
      echo ']'
    } > "$W/tenants.json"
    SELECT_OURS=(--tenants "$W/tenants.json")
    reset_fleet() {
      { while read -r t; do echo "DROP DATABASE IF EXISTS $t;"; echo "CREATE DATABASE $t;"; done < "$W/tenants.txt"; } > "$W/reset.sql"
      "${PSQL[@]}" -d postgres -f "$W/reset.sql"
    }
    enter() { printf '\\connect %s\n' "$1"; }
    journal_of() { printf 'public.tenant_migrations_history'; }
    count_views() { local n=0 t; while read -r t; do n=$((n + $("${PSQL[@]}" -d "$t" -At -o /dev/stdout -c "SELECT count(*) FROM pg_views WHERE viewname = 'order_totals'"))); done < "$W/tenants.txt"; echo "$n"; }
  fi
  BEGIN_SQL='BEGIN;'; COMMIT_SQL='COMMIT;'
elif [[ "$CASE" == mariadb ]]; then
  PORT=$(free_port)
  mkdir -p "$W/my/data" "$W/my/tmp"
  MY_USER=$(id -un); [[ $(id -u) == 0 ]] && MY_USER=mysql
  chown -R "$MY_USER" "$W/my"
  mariadb-install-db --no-defaults --datadir="$W/my/data" --tmpdir="$W/my/tmp" --auth-root-authentication-method=normal --skip-test-db --skip-name-resolve --user="$MY_USER" > "$W/install-db.log" 2>&1
  mariadbd --no-defaults --user="$MY_USER" --datadir="$W/my/data" --tmpdir="$W/my/tmp" --port="$PORT" --bind-address=127.0.0.1 \
    --socket="$W/my/mysqld.sock" --pid-file="$W/my/mysqld.pid" --log-error="$W/my/error.log" --skip-name-resolve --skip-log-bin \
    --max-connections=300 --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci > "$W/my/mariadbd.out" 2>&1 &
  SERVER_STOP+=("kill $!")
  for _ in $(seq 1 120); do mariadb --no-defaults -S "$W/my/mysqld.sock" -u root -e 'SELECT 1' >/dev/null 2>&1 && break; sleep 0.5; done
  BENCH_PASSWORD=$(python3 -c 'import secrets; print(secrets.token_hex(12))')
  mariadb --no-defaults -S "$W/my/mysqld.sock" -u root -e "CREATE USER bench@'127.0.0.1' IDENTIFIED BY '$BENCH_PASSWORD'; GRANT ALL ON *.* TO bench@'127.0.0.1'"
  export BENCH_PORT=$PORT BENCH_USER=bench BENCH_PASSWORD
  export MYSQL_PWD=$BENCH_PASSWORD
  MYSQL=(mariadb --no-defaults -h 127.0.0.1 -P "$PORT" --protocol=TCP -u bench --batch)
  {
    echo '['
    for ((i = 1; i <= N; i++)); do
      printf '  { "name": "%s", "engine": "mysql", "connectionString": "Server=127.0.0.1;Port=%s;User ID=bench;Password=%s;Database=%s" }%s\n' "$(tenant "$i")" "$PORT" "$BENCH_PASSWORD" "$(tenant "$i")" "$([[ $i -lt $N ]] && echo ,)"
    done
    echo ']'
  } > "$W/tenants.json"
  chmod 600 "$W/tenants.json"
  SELECT_OURS=(--tenants "$W/tenants.json")
  reset_fleet() {
    { while read -r t; do echo "DROP DATABASE IF EXISTS $t;"; echo "CREATE DATABASE $t;"; done < "$W/tenants.txt"; } > "$W/reset.sql"
    "${MYSQL[@]}" < "$W/reset.sql"
  }
  enter() { printf 'USE %s;\n' "$1"; }
  journal_of() { printf '%s.tenant_migrations_history' "$1"; }
  count_views() { "${MYSQL[@]}" -N -e "SELECT count(*) FROM information_schema.views WHERE table_name = 'order_totals'"; }
  # DDL commits by itself in MariaDB: the floor runs each migration's statements as they are.
  BEGIN_SQL=''; COMMIT_SQL=''
else
  mkdir -p "$W/sqlite"
  SELECT_OURS=(--sqlite "$W/sqlite/*.db")
  sed "s|^|$W/sqlite/|; s|$|.db|" "$W/tenants.txt" > "$W/files.txt"
  reset_fleet() { rm -rf "$W/sqlite"; mkdir -p "$W/sqlite"; (cd "$W/sqlite" && xargs -a "$W/tenants.txt" -I{} touch {}.db); }
  count_views() { local n=0 f; while read -r f; do n=$((n + $(sqlite3 "$f" "SELECT count(*) FROM sqlite_master WHERE name = 'order_totals'"))); done < "$W/files.txt"; echo "$n"; }
  BEGIN_SQL='BEGIN;'; COMMIT_SQL='COMMIT;'
fi

# --- the floor's scripts: 2 sessions, each migration in a transaction (where DDL has them), no journal --------------
migration_files() { ls "$MIGRATIONS"/V*.sql | sort -t V -k 2 -n; }
{
  for f in $(migration_files); do [[ -n "$BEGIN_SQL" ]] && echo "$BEGIN_SQL"; cat "$f"; [[ -n "$COMMIT_SQL" ]] && echo "$COMMIT_SQL"; done
} > "$W/one-tenant.sql"
# The floor with our journal: the same SQL plus the journal table and the rows that ours writes, and nothing else.
JOURNAL_ENGINE=${CASE%%-*}; [[ "$JOURNAL_ENGINE" == pg ]] && JOURNAL_ENGINE=postgres
python3 "$ROOT/bench/journal-floor.py" "$JOURNAL_ENGINE" "$MIGRATIONS" > "$W/one-tenant-journal.sql"
# Each floor run is a small script: two sessions in parallel, each over half of the tenants.
two_sessions() { printf '%s & a=$!\n%s & b=$!\nwait $a && wait $b\n' "$1" "$2"; }
if [[ "$CASE" != sqlite ]]; then
  for half in 0 1; do
    : > "$W/floor-$half.sql"; : > "$W/floor-journal-$half.sql"; : > "$W/floor-status-$half.sql"
    i=0
    while read -r t; do
      if ((i % 2 == half)); then
        { enter "$t"; cat "$W/one-tenant.sql"; } >> "$W/floor-$half.sql"
        { enter "$t"; cat "$W/one-tenant-journal.sql"; } >> "$W/floor-journal-$half.sql"
        if [[ "$CASE" == pg-databases ]]; then enter "$t" >> "$W/floor-status-$half.sql"; fi
        echo "SELECT max(installed_rank) FROM $(journal_of "$t");" >> "$W/floor-status-$half.sql"
      fi
      i=$((i + 1))
    done < "$W/tenants.txt"
  done
  if [[ "$CASE" == mariadb ]]; then session() { printf '%q ' "${MYSQL[@]}"; printf '< %q > /dev/null' "$1"; }
  else session() { printf '%q ' "${PSQL[@]}" -d fleet -f "$1"; }; fi
  two_sessions "$(session "$W/floor-0.sql")" "$(session "$W/floor-1.sql")" > "$W/floor-fresh.sh"
  two_sessions "$(session "$W/floor-journal-0.sql")" "$(session "$W/floor-journal-1.sql")" > "$W/floor-journal-fresh.sh"
  two_sessions "$(session "$W/floor-status-0.sql")" "$(session "$W/floor-status-1.sql")" > "$W/floor-status.sh"
else
  split -n l/2 -d "$W/files.txt" "$W/files-"
  loop() { printf '(while read -r f; do sqlite3 "$f" %s; done < %q)' "$1" "$2"; }
  two_sessions "$(loop "< $W/one-tenant.sql" "$W/files-00")" "$(loop "< $W/one-tenant.sql" "$W/files-01")" > "$W/floor-fresh.sh"
  two_sessions "$(loop "< $W/one-tenant-journal.sql" "$W/files-00")" "$(loop "< $W/one-tenant-journal.sql" "$W/files-01")" > "$W/floor-journal-fresh.sh"
  status_sql="'SELECT max(installed_rank) FROM tenant_migrations_history' > /dev/null"
  two_sessions "$(loop "$status_sql" "$W/files-00")" "$(loop "$status_sql" "$W/files-01")" > "$W/floor-status.sh"
fi

KNEX_TENANTS="$W/tenants.txt"
[[ "$CASE" == sqlite ]] && KNEX_TENANTS="$W/files.txt"
OURS_MIGRATE=("${OURS[@]}" migrate "${SELECT_OURS[@]}" --migrations "$MIGRATIONS" --quiet --throttle "$THROTTLE" --run-store "$W/runs" ${OURS_FLAGS:-})
OURS_STATUS=("${OURS[@]}" status "${SELECT_OURS[@]}" --migrations "$MIGRATIONS")
check_fleet() {
  local views; views=$(count_views)
  [[ "$views" == "$N" ]] || { echo "bench/run.sh: $1 left $views of $N tenants fully migrated" >&2; exit 1; }
}

# --- repetitions, the tools alternating -------------------------------------------------------------------------
for ((rep = 1; rep <= REPS; rep++)); do
  log "repetition $rep of $REPS: $CASE, $N tenants"
  if [[ "${STEADY:-}" == 1 ]]; then
    if ((rep == 1)); then
      reset_fleet
      log "STEADY=1: one untimed fresh migrate by ours, then only the no-op and status are timed"
      "${OURS_MIGRATE[@]}" > "$W/out.txt" 2> "$W/err.txt" || { tail -20 "$W/err.txt" >&2; exit 1; }
      check_fleet "ours"
    fi
    timed "ours:no-op" "${OURS_MIGRATE[@]}"
    timed "ours:status" "${OURS_STATUS[@]}"
    timed "floor:status" bash "$W/floor-status.sh"
    continue
  fi
  reset_fleet
  timed "ours:fresh" "${OURS_MIGRATE[@]}"
  check_fleet "ours"
  timed "ours:no-op" "${OURS_MIGRATE[@]}"
  timed "ours:status" "${OURS_STATUS[@]}"
  timed "floor:status" bash "$W/floor-status.sh"
  reset_fleet
  timed "floor:fresh" bash "$W/floor-fresh.sh"
  check_fleet "the floor"
  reset_fleet
  timed "journal-floor:fresh" bash "$W/floor-journal-fresh.sh"
  check_fleet "the floor with our journal"
  reset_fleet
  timed "knex:fresh" node "$KNEX/loop.js" "$CASE" latest "$KNEX_TENANTS" "$THROTTLE"
  check_fleet "the knex loop"
  timed "knex:no-op" node "$KNEX/loop.js" "$CASE" latest "$KNEX_TENANTS" "$THROTTLE"
  timed "knex:status" node "$KNEX/loop.js" "$CASE" status "$KNEX_TENANTS" "$THROTTLE"
done

# --- the table --------------------------------------------------------------------------------------------------
python3 - "$RESULTS" "$CASE" "$N" "$REPS" "$THROTTLE" "$LOAD_BEFORE" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'PY'
import statistics, sys, os, platform
path, case, n, reps, throttle, load_before, load_after = sys.argv[1:]
rows = {}
for line in open(path):
    label, wall, cpu, rss = line.split()
    rows.setdefault(label, []).append((float(wall), float(cpu), int(rss)))
def med(label, i):
    values = [r[i] for r in rows.get(label, [])]
    return statistics.median(values) if values else None
cpu_model = next((l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name')), platform.processor())
print(f"\n{case}, {n} tenants, medians of {reps} alternating repetitions, throttle {throttle} (ours and knex), floor = 2 sessions")
print(f"machine: {os.cpu_count()} cores ({cpu_model}), load average {load_before} before, {load_after} after\n")
print("| case | ours (wall / cpu) | floor | knex loop | ours/floor | ours/knex |")
print("|---|---|---|---|---|---|")
fmt = lambda v: "—" if v is None else f"{v:.2f} s"
for what in ("fresh", "no-op", "status"):
    o, f, k = med(f"ours:{what}", 0), med(f"floor:{what}", 0), med(f"knex:{what}", 0)
    oc = med(f"ours:{what}", 1)
    ratio = lambda a, b: "—" if a is None or b is None or b == 0 else f"{a / b:.2f}×"
    print(f"| {what} | {fmt(o)} / {fmt(oc)} | {fmt(f)} | {fmt(k)} | {ratio(o, f)} | {ratio(o, k)} |")
rss = lambda tool: max((r[2] for label, rs in rows.items() if label.startswith(tool + ":") for r in rs), default=0) / 1024
print(f"| peak RSS | {rss('ours'):.0f} MB | {rss('floor'):.0f} MB | {rss('knex'):.0f} MB | | |")
o, f, j = med("ours:fresh", 0), med("floor:fresh", 0), med("journal-floor:fresh", 0)
if j:
    print(f"\nthe floor with our journal writes (no lock, no read, no client): fresh {j:.2f} s = {j / f:.2f}× the floor; ours = {o / j:.2f}× it")
PY
