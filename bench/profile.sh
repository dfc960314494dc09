#!/usr/bin/env bash
# bench/profile.sh COMMAND...: where one run of the CLI spends its CPU, sampled by perf (CPU time, not waiting).
# Prints the share of the runtime (libcoreclr), the JIT, the kernel, libc and managed code, then the heaviest methods of
# our own code, Npgsql, Polly and System.Text.Json by inclusive share. The Native AOT build (bench/run.sh's) names its
# methods through its symbols (tenantmigrations.dbg beside it), as Assembly_Namespace_Type__Method. A JIT build
# (tenantmigrations.dll) names them through the runtime's perf map; ReadyToRun code has no names there, so JIT=1 runs
# it without its ReadyToRun code (the JIT's share then grows, the methods' shares are the point). Needs perf
# (linux-perf) and permission to use it.
# Example: bench/profile.sh /tmp/cli/tenantmigrations status --pg "Host=...;Database=fleet" --schema-like 't\_%' --migrations bench/migrations
set -euo pipefail
(($#)) || { echo "usage: bench/profile.sh COMMAND..." >&2; exit 2; }
command -v perf >/dev/null || { echo "bench/profile.sh: perf is not installed (apt-get install linux-perf)" >&2; exit 2; }
W=$(mktemp -d /tmp/tm-profile.XXXXXX)
ls /tmp/perf-*.map > "$W/maps-before" 2>/dev/null || true
# The runtime writes /tmp/perf-PID.map for perf to read: the new ones go with the work folder.
cleanup() { comm -13 <(sort "$W/maps-before") <(ls /tmp/perf-*.map 2>/dev/null | sort) | xargs -r rm -f; rm -rf "$W"; }
trap cleanup EXIT
env=(DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0)
[[ "${JIT:-}" == 1 ]] && env+=(DOTNET_ReadyToRun=0)
env "${env[@]}" perf record -F 999 -g -o "$W/perf.data" -- "$@" > /dev/null 2> "$W/perf.err" || { tail -5 "$W/perf.err" >&2; exit 1; }
grep -o '([0-9]* samples)' "$W/perf.err" | head -1 | sed 's/^/samples: /' >&2
echo "CPU by where the code lives:"
perf report -i "$W/perf.data" --no-children --sort dso -g none 2>/dev/null | grep -v '^#' | grep -v '^$' | head -8
echo
echo "Heaviest methods (inclusive share of the samples):"
perf report -i "$W/perf.data" --children --sort sym -g none 2>/dev/null | grep -v '^#' | grep -v '^$' \
  | grep -E '\[(TenantMigrations[.A-Za-z]*|tenantmigrations|Npgsql|Polly.Core|System.Text.Json)\]|\] (TenantMigrations|Npgsql|Polly_Core|System_Text_Json)_' \
  | grep -v -E 'MoveNext|ExecutionContextCallback|b__|::Start\(|<Main>' \
  | sed -E 's/\[(QuickJitted|OptimizedTier1|Optimized|Tier0|Tier1)\]//g; s/(class|valuetype|instance) //g; s/\[System\.[A-Za-z.]+\]//g' \
  | cut -c1-170 | head -${TOP:-30}
