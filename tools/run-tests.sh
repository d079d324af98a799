#!/usr/bin/env bash
# Runs the test projects of the solution and closes with one line "N passed, N failed" summed
# over them, taken from dotnet test's per-assembly summaries. Extra arguments go to dotnet test.
set -uo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT

dotnet test RawZipServer.sln -c Release "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

summary=$(grep -E '^(Passed|Failed)! +- +Failed: +[0-9]+, +Passed: +[0-9]+' "$log" || true)
passed=$(sed -nE 's/.*Passed: +([0-9]+),.*/\1/p' <<<"$summary" | awk '{s+=$1} END {print s+0}')
failed=$(sed -nE 's/.*Failed: +([0-9]+),.*/\1/p' <<<"$summary" | awk '{s+=$1} END {print s+0}')
skipped=$(sed -nE 's/.*Skipped: +([0-9]+),.*/\1/p' <<<"$summary" | awk '{s+=$1} END {print s+0}')
assemblies=$(grep -c . <<<"$summary" || true)

if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # A build error or a crashed test host: no per-test failure to count, but the run failed.
  failed=1
fi
if [ "$assemblies" -eq 0 ] && [ "$status" -eq 0 ]; then
  echo "no test assembly reported a summary" >&2
  status=1
  failed=1
fi

echo
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
