#!/usr/bin/env python3
"""bench/journal-floor.py ENGINE MIGRATIONS: prints one tenant's script for the "floor with our journal": the floor's
SQL plus the journal writes that TenantMigrations makes, and nothing else (no lock, no journal read, no client logic).
ENGINE is postgres, mariadb or sqlite; the script uses the unqualified table tenant_migrations_history, so the caller
enters the tenant first (search_path, \\connect, USE, or the file itself).

Where DDL is transactional (PostgreSQL, SQLite) each migration runs in a transaction with its succeeded row, as ours
does. On MariaDB, where DDL commits by itself, a 'running' row is written before the migration and marked succeeded
after it, each write committing on its own, as ours does (so a crash mid-migration leaves an incomplete mark)."""
import hashlib
import pathlib
import re
import sys

engine, folder = sys.argv[1], pathlib.Path(sys.argv[2])
files = sorted(folder.glob("V*__*.sql"), key=lambda f: int(re.match(r"V(\d+)__", f.name).group(1)))

# Each engine's column types in the order of `names`, and what follows the column list.
types, table_options = {
    "postgres": (("integer", "varchar(50)", "varchar(200)", "varchar(20)", "varchar(64)", "varchar(20)", "timestamptz", "timestamptz", "bigint", "varchar(200)", "varchar(64)", "varchar(32)", "text", "text", "varchar(1000)", "text"), ""),
    "mariadb": (("INT", "VARCHAR(50)", "VARCHAR(200)", "VARCHAR(20)", "VARCHAR(64)", "VARCHAR(20)", "DATETIME(6)", "DATETIME(6)", "BIGINT", "VARCHAR(200)", "VARCHAR(64)", "VARCHAR(32)", "LONGTEXT", "LONGTEXT", "VARCHAR(1000)", "LONGTEXT"), " ENGINE = InnoDB DEFAULT CHARSET = utf8mb4"),
    "sqlite": (("INTEGER", "TEXT", "TEXT", "TEXT", "TEXT", "TEXT", "TEXT", "TEXT", "INTEGER", "TEXT", "TEXT", "TEXT", "TEXT", "TEXT", "TEXT", "TEXT"), ""),
}[engine]
names = ("installed_rank", "version", "description", "kind", "checksum", "state", "started_at", "finished_at", "duration_ms", "applied_by", "run_id", "tool_version", "error", "failed_statement", "script_name", "script")
not_null = {"installed_rank", "description", "kind", "state", "started_at"}
now = {"postgres": "now()", "mariadb": "NOW(6)", "sqlite": "strftime('%Y-%m-%d %H:%M:%f', 'now')"}[engine]


def literal(text):
    text = text.replace("'", "''")
    return "'" + (text.replace("\\", "\\\\") if engine == "mariadb" else text) + "'"


definitions = ", ".join(f"{name} {kind}{' NOT NULL' if name in not_null else ''}{' PRIMARY KEY' if name == 'installed_rank' else ''}" for name, kind in zip(names, types, strict=True))
print(f"CREATE TABLE IF NOT EXISTS tenant_migrations_history ({definitions}){table_options};")
for rank, path in enumerate(files, start=1):
    script = path.read_text()
    version, description = re.match(r"V(\d+)__(.+)\.sql$", path.name).groups()
    state = "running" if engine == "mariadb" else "succeeded"
    values = [str(rank), literal(version), literal(description.replace("_", " ")), "'versioned'", literal(hashlib.sha256(script.encode()).hexdigest()),
              literal(state), now, "NULL" if engine == "mariadb" else now, "NULL" if engine == "mariadb" else "1", "'bench'", "'bench-run'", "'1.0'", "NULL", "NULL",
              literal(path.name), literal(script)]
    row = f"INSERT INTO tenant_migrations_history ({', '.join(names)}) VALUES ({', '.join(values)});"
    if engine == "mariadb":
        print(row)
        print(script.rstrip())
        print(f"UPDATE tenant_migrations_history SET state = 'succeeded', finished_at = NOW(6), duration_ms = 1 WHERE installed_rank = {rank};")
    else:
        print("BEGIN;")
        print(script.rstrip())
        print(row)
        print("COMMIT;")
