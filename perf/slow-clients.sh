#!/usr/bin/env bash
# Slow clients on loopback (127.0.0.1 only), not a test: issue 6's "1,000 concurrent downloads with slow clients
# (each reading 64 KiB/s): server RSS ≤ 300 MiB in total, and flat over time".
#   perf/slow-clients.sh [-- extra rawzip options…]     (`make slow`; bounded to SLOW_SECONDS + 180 s)
# Environment: SLOW_CLIENTS (1000), SLOW_SECONDS (90), SLOW_RATE (65536 bytes/s per client),
#   SLOW_ORIGIN=synthetic|http (synthetic: generated in process; http: the same bytes from perf/FaultyOrigin over
#   loopback, so the origin connections' buffers count too), SLOW_NOBUILD=1 to skip the Release builds,
#   SLOW_SERVER_ENV="NAME=VALUE …" for the server's environment only (e.g. GC knobs), SLOW_SERVER_BIN=path to run
#   another rawzip build (an A/B against an older commit), SLOW_KEEP=file to keep the raw series.
# The archive is one 1 GiB stored file: at 64 KiB/s no download ends within the run, so all SLOW_CLIENTS stay
# connected and are cut (counted as cancelled) at the end. Server VmRSS is sampled every second; prints the
# series (every 10 s), the peak, the growth over the second half of the run (the "flat" part) and RSS 10 s and
# 30 s after the load.
set -euo pipefail
CLIENTS=${SLOW_CLIENTS:-1000}
SECS=${SLOW_SECONDS:-90}
RATE=${SLOW_RATE:-65536}
ORIGIN_KIND=${SLOW_ORIGIN:-synthetic}
[ "${1:-}" = "--" ] && shift
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/perf/lib.sh"
perf_init rawzip-slow
if [ -z "${SLOW_NOBUILD:-}" ]; then
  perf_build src/RawZipServer perf/RawZipServer.LoadTest perf/FaultyOrigin
else
  DRIVER=perf/RawZipServer.LoadTest/bin/Release/net10.0/RawZipServer.LoadTest
fi

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

G=$((1 << 30))
mkdir -p "$WORK/manifests"
ORIGIN_ARGS=(--Origins:synthetic:Synthetic=true)
if [ "$ORIGIN_KIND" = http ]; then
  perf/FaultyOrigin/bin/Release/net10.0/FaultyOrigin --urls http://127.0.0.1:0 >"$WORK/origin.log" 2>&1 &
  ORIGIN=$!; PIDS+=("$ORIGIN")
  FO=$(wait_url "$WORK/origin.log")
  ORIGIN_ARGS+=(--Origins:faulty:BaseUrl="$FO/")
  echo "{ \"name\": \"slow.zip\", \"files\": [ { \"path\": \"a.bin\", \"origin\": \"faulty\", \"source\": \"/ok/$G/1\", \"size\": $G } ] }" \
    >"$WORK/manifests/slow.json"
else
  echo "{ \"name\": \"slow.zip\", \"files\": [ { \"path\": \"a.bin\", \"origin\": \"synthetic\", \"source\": \"/$G/1\", \"size\": $G } ] }" \
    >"$WORK/manifests/slow.json"
fi

env ${SLOW_SERVER_ENV:-} "${SLOW_SERVER_BIN:-src/RawZipServer/bin/Release/net10.0/rawzip}" --Listen=http://127.0.0.1:0 --Manifests:Directory="$WORK/manifests" \
  "${ORIGIN_ARGS[@]}" --Limits:MaxConcurrentArchives=$((CLIENTS * 2)) --Limits:ClientIdleTimeout=00:05:00 \
  --Logging:LogLevel:Default=Warning "$@" >"$WORK/rawzip.log" 2>&1 &
RAWZIP=$!; PIDS+=("$RAWZIP")
RZ=$(wait_url "$WORK/rawzip.log")
sleep 1
echo "== $CLIENTS clients at $RATE B/s for $SECS s, origin $ORIGIN_KIND; server PID $RAWZIP, RSS $(( $(rss_kib "$RAWZIP") / 1024 )) MiB idle" >&2

timeout $((SECS + 60)) "$DRIVER" --url "$RZ/archive/slow" --concurrency "$CLIENTS" --count "$CLIENTS" --duration "$SECS" \
  --read-rate "$RATE" --buffer 65536 --quiet --label "slow$CLIENTS-$ORIGIN_KIND" --server-pid "$RAWZIP" \
  >"$WORK/driver.out" 2>&1 &
DRV=$!; PIDS+=("$DRV")

# About one sample a second (t = seconds since the driver started) while the driver runs, at most SECS + 60 samples.
: >"$WORK/rss"
START=$(date +%s)
NEXT=0
for _ in $(seq 0 $((SECS + 60))); do
  kill -0 "$DRV" 2>/dev/null || break
  t=$(( $(date +%s) - START ))
  r=$(rss_kib "$RAWZIP")
  o=0; [ -n "${ORIGIN:-}" ] && o=$(rss_kib "$ORIGIN")
  echo "$t $r $o" >>"$WORK/rss"
  if [ "$t" -ge "$NEXT" ]; then echo "   ${t}s: server RSS $((r / 1024)) MiB" >&2; NEXT=$((t - t % 10 + 10)); fi
  sleep 1
done
wait "$DRV" || true
# After the load: does the server give the memory back? (Kestrel's block pool releases idle blocks over time.)
AFTER=""
for s in 10 30; do
  sleep $((s == 10 ? 10 : 20))
  AFTER+="${AFTER:+, }+${s}s $(( $(rss_kib "$RAWZIP") / 1024 ))"
done
ALIVE=yes; kill -0 "$RAWZIP" 2>/dev/null || ALIVE=no

echo
echo "## Slow clients: $CLIENTS × $RATE B/s for $SECS s, origin $ORIGIN_KIND, server options: ${*:-(defaults)}${SLOW_SERVER_ENV:+, environment: $SLOW_SERVER_ENV}"
echo
grep -E '^(RESULT|failure)' "$WORK/driver.out" || cat "$WORK/driver.out"
[ -n "${SLOW_KEEP:-}" ] && cp "$WORK/rss" "$SLOW_KEEP"
python3 - "$WORK/rss" "$SECS" <<'EOF2'
import sys
rows = [tuple(int(x) for x in l.split()) for l in open(sys.argv[1]) if l.strip()]
secs = int(sys.argv[2])
mib = lambda k: round(k / 1024)
def every10(col):  # the first sample at or after each 10 s mark
    out, mark = [], 0
    for row in rows:
        if row[0] >= mark:
            out.append(f"{row[0]}s {mib(row[col])}")
            mark = row[0] - row[0] % 10 + 10
    return ", ".join(out)
print("server RSS MiB every 10 s: " + every10(1))
peak_t, peak, _ = max(rows, key=lambda x: x[1])
print(f"server peak RSS {mib(peak)} MiB at {peak_t}s")
# The second half, without the last 3 s: at SECS the driver cuts every download at once, and the server's teardown
# of a thousand archives (exceptions, log lines) is not the steady state.
half = [r for t, r, _ in rows if secs // 2 <= t <= secs - 3]
if half:
    print(f"second half ({secs // 2}..{secs - 3} s): min {mib(min(half))}, max {mib(max(half))}, "
          f"start→end {mib(half[0])} → {mib(half[-1])} MiB ({mib(half[-1] - half[0]):+d})")
if any(o for _, _, o in rows):
    print("origin (FaultyOrigin) RSS MiB every 10 s: " + every10(2))
EOF2
echo "server RSS MiB after the load: $AFTER"
echo "server still running: $ALIVE"
[ "$ALIVE" = yes ]
