#!/usr/bin/env bash
# Runs the whole test suite. Installs what the tests need first (PostgreSQL 15 and MariaDB servers, the sqlite3 CLI, via apt,
# when missing); the tests start their own private servers, so nothing needs to be running.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
[[ -x /usr/lib/postgresql/15/bin/initdb ]] || missing+=(postgresql-15)
command -v psql >/dev/null || missing+=(postgresql-client-15)
command -v mariadbd >/dev/null && command -v mariadb-install-db >/dev/null || missing+=(mariadb-server)
command -v sqlite3 >/dev/null || missing+=(sqlite3)
# The Native AOT publish of the CLI links with clang, or gcc when there is no clang.
command -v clang >/dev/null || command -v gcc >/dev/null || missing+=(clang)
if ((${#missing[@]})); then
  echo "Installing test dependencies: ${missing[*]}"
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  # Another apt (unattended upgrades, a second setup) may hold the lock: wait for it instead of failing at once.
  $sudo apt-get -o DPkg::Lock::Timeout=120 update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=120 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

log=$(mktemp)
aot=$(mktemp -d)
trap 'rm -f "$log"; rm -rf "$aot"' EXIT
set +e
dotnet test TenantMigrations.sln --nologo 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# A publish for one runtime is the CLI's Native AOT build: the CLI suite runs again on it, since trimming and AOT
# fail at run time where the JIT build works.
case "$(uname -m)" in aarch64 | arm64) rid=linux-arm64 ;; *) rid=linux-x64 ;; esac
echo "Publishing the CLI as Native AOT ($rid) and running the CLI tests on it"
if dotnet publish src/TenantMigrations.Cli -c Release -f net10.0 -r "$rid" -o "$aot" --nologo -v q > "$aot/publish.log" 2>&1; then
  TM_TEST_CLI="$aot/tenantmigrations" dotnet test tests/TenantMigrations.Cli.Tests --no-build --nologo 2>&1 | tee -a "$log"
  ((PIPESTATUS[0] == 0)) || status=1
else
  tail -30 "$aot/publish.log"
  echo "Failed! - the Native AOT publish of the CLI failed" | tee -a "$log"
  status=1
fi
set -e

# One closing line for the whole run, summed over the test projects.
awk '
  /(Passed|Failed)! +- +Failed:/ {
    gsub(",", "")
    for (i = 1; i <= NF; i++) {
      if ($i == "Failed:") failed += $(i + 1)
      if ($i == "Passed:") passed += $(i + 1)
      if ($i == "Skipped:") skipped += $(i + 1)
    }
    projects++
  }
  /^Failed! - the Native AOT publish/ { failed++ }
  END { printf "Tests: %d passed, %d failed, %d skipped (the CLI tests twice: on the JIT build and on Native AOT)\n", passed, failed, skipped }
' "$log"
exit "$status"
