# Shared by perf/compare.sh and perf/soak.sh (sourced, not run): a scratch folder and the processes to kill on
# exit, Release builds, and the wait for a server's "Listening on" line.

# perf_init NAME: $WORK (a fresh temp folder), $PIDS (append every process started), cleanup on exit, cd to $ROOT.
# PERF_KEEP=1 keeps $WORK (server and driver logs) after the run.
perf_init() {
  WORK=$(mktemp -d "/tmp/$1.XXXXXX")
  PIDS=()
  trap perf_cleanup EXIT
  cd "$ROOT"
  export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
}

perf_cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 0.5
  if [ -n "${PERF_KEEP:-}" ]; then echo "kept $WORK (PERF_KEEP)" >&2; else rm -rf "$WORK"; fi
}

# perf_build PROJECT…: Release builds, quietly; sets $DRIVER to the load driver's binary.
perf_build() {
  echo "== building (Release)" >&2
  for project in "$@"; do dotnet build "$project" -c Release -v q -nologo >/dev/null; done
  DRIVER=perf/RawZipServer.LoadTest/bin/Release/net10.0/RawZipServer.LoadTest
}

# wait_url LOGFILE: the first "Listening on http://127.0.0.1:PORT" the process printed (≤ 30 s).
wait_url() {
  for _ in $(seq 300); do
    if u=$(grep -o -m1 'http://127\.0\.0\.1:[0-9]*' "$1" 2>/dev/null); then echo "$u"; return 0; fi
    sleep 0.1
  done
  echo "no 'Listening on' in $1:" >&2; cat "$1" >&2; return 1
}
