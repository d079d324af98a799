#!/usr/bin/env bash
# Load measurements on loopback (127.0.0.1 only). Usage:
#   perf/compare.sh load      RawZipServer alone: 4 × 1 GiB stored synthetic archive, 1 download, then 4 concurrent
#   perf/compare.sh compare   the same, plus side by side in the same run:
#                             - baseline: perf/Baselines/ZipArchiveBaseline (ASP.NET Core + ZipArchive, same bytes)
#                             - nginx: Debian nginx proxying (proxy_pass) a second nginx that serves the same
#                               archive's bytes as a file from disk (page cache); driver in --raw mode; CPU is
#                               the proxy's worker processes only
# Each case runs REPS times (default 3) after one warm-up download; the table shows medians.
# Every driver run is bounded (--duration 100 and timeout 130 s); the make targets bound the whole script.
set -euo pipefail
MODE=${1:-load}
REPS=${REPS:-3}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/perf/lib.sh"
perf_init rawzip-perf
projects=(src/RawZipServer perf/RawZipServer.LoadTest)
[ "$MODE" = compare ] && projects+=(perf/Baselines/ZipArchiveBaseline)
perf_build "${projects[@]}"
RESULTS=$WORK/results.txt
: > "$RESULTS"

mkdir -p "$WORK/manifests"
cat > "$WORK/manifests/big4.json" <<'EOF'
{ "name": "big4.zip", "files": [
  { "path": "f1.bin", "origin": "synthetic", "source": "/1073741824/1", "size": 1073741824 },
  { "path": "f2.bin", "origin": "synthetic", "source": "/1073741824/2", "size": 1073741824 },
  { "path": "f3.bin", "origin": "synthetic", "source": "/1073741824/3", "size": 1073741824 },
  { "path": "f4.bin", "origin": "synthetic", "source": "/1073741824/4", "size": 1073741824 } ] }
EOF

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# measure LABEL URL PIDS CONCURRENCY [driver options…]: one warm-up download, then REPS measured runs.
measure() {
  local label=$1 url=$2 pids=$3 conc=$4; shift 4
  echo "== $label (concurrency $conc, $REPS runs)" >&2
  timeout 130 "$DRIVER" --url "$url" --count 1 --duration 100 --quiet --label warmup "$@" >/dev/null || true
  for i in $(seq "$REPS"); do
    [ "$pids" = "@nginx" ] && p=$(pgrep -P "$(cat "$WORK/ng-proxy/nginx.pid")" | paste -sd,) || p=$pids
    out=$(timeout 130 "$DRIVER" --url "$url" --concurrency "$conc" --count "$conc" --duration 100 --quiet \
      --label "$label" --server-pid "$p" "$@") || echo "   (run $i: not every download completed and verified)" >&2
    line=$(grep '^RESULT' <<<"$out")
    echo "   $line" >&2
    grep -E '^(failure|server:)' <<<"$out" >&2 || true
    if [ "$pids" = "@nginx" ] && grep -q '^failure' <<<"$out"; then
      tail -n 5 "$WORK"/ng-*/logs/error.log "$WORK"/ng-*/stderr >&2 || true
    fi
    echo "$line" >> "$RESULTS"
  done
}

# --- RawZipServer on the synthetic origin
src/RawZipServer/bin/Release/net10.0/rawzip --Listen=http://127.0.0.1:0 --Manifests:Directory="$WORK/manifests" \
  --Origins:synthetic:Synthetic=true --Logging:LogLevel:Default=Warning >"$WORK/rawzip.log" 2>&1 &
RAWZIP=$!; PIDS+=("$RAWZIP")
RZ=$(wait_url "$WORK/rawzip.log")
measure rawzip-1 "$RZ/archive/big4" "$RAWZIP" 1
measure rawzip-4 "$RZ/archive/big4" "$RAWZIP" 4

if [ "$MODE" = compare ]; then
  # --- ASP.NET Core + ZipArchive baseline
  perf/Baselines/ZipArchiveBaseline/bin/Release/net10.0/ZipArchiveBaseline --urls http://127.0.0.1:0 >"$WORK/baseline.log" 2>&1 &
  BASE=$!; PIDS+=("$BASE")
  BU=$(wait_url "$WORK/baseline.log")
  measure baseline-1 "$BU/archive/big4" "$BASE" 1
  measure baseline-4 "$BU/archive/big4" "$BASE" 4
  kill "$BASE"

  # --- nginx proxying the same bytes (the archive RawZipServer sends, saved as a file)
  if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
    echo "== installing nginx (apt-get)" >&2
    apt-get install -y nginx >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y nginx >/dev/null; }
  fi
  NGINX=$(command -v nginx || echo /usr/sbin/nginx)
  mkdir -p "$WORK/www" "$WORK/ng-origin/logs" "$WORK/ng-proxy/logs"
  chmod 755 "$WORK"
  curl -s --max-time 120 -o "$WORK/www/big4.zip" "$RZ/archive/big4"
  OP=$(free_port); PP=$(free_port)
  for role in origin proxy; do
    if [ $role = origin ]; then
      port=$OP workers=1
      loc="root $WORK/www; sendfile on;"
    else
      port=$PP workers=auto
      loc="proxy_pass http://127.0.0.1:$OP; proxy_http_version 1.1; proxy_set_header Connection \"\"; proxy_max_temp_file_size 0;"
    fi
    cat > "$WORK/ng-$role/nginx.conf" <<EOF
user root;
worker_processes $workers;
daemon off;
pid $WORK/ng-$role/nginx.pid;
error_log $WORK/ng-$role/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $WORK/ng-$role/body; proxy_temp_path $WORK/ng-$role/proxy;
  fastcgi_temp_path $WORK/ng-$role/fcgi; uwsgi_temp_path $WORK/ng-$role/uwsgi; scgi_temp_path $WORK/ng-$role/scgi;
  upstream_placeholder_never_used_$role { server 127.0.0.1:1; }
  server { listen 127.0.0.1:$port; location / { $loc } }
}
EOF
    sed -i '/upstream_placeholder/d' "$WORK/ng-$role/nginx.conf"
    "$NGINX" -p "$WORK/ng-$role" -c "$WORK/ng-$role/nginx.conf" 2>"$WORK/ng-$role/stderr" &
    PIDS+=("$!")
  done
  sleep 1
  # Worker PIDs are looked up again before every run (a worker nginx replaced would otherwise be missed).
  measure nginx-1 "http://127.0.0.1:$PP/big4.zip" @nginx 1 --raw
  measure nginx-4 "http://127.0.0.1:$PP/big4.zip" @nginx 4 --raw
fi

python3 - "$RESULTS" "$MODE" "$REPS" <<'EOF'
import sys, statistics, collections
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    f = dict(kv.split("=", 1) for kv in line.split()[1:])
    rows[f["label"]].append(f)
def med(label, key):
    # Only runs where every download completed and verified.
    vals = [float(r[key]) for r in rows.get(label, [])
            if r["failed"] == "0" and r["cancelled"] == "0" and r.get(key) not in (None, "n/a", "NaN")]
    return statistics.median(vals) if vals else float("nan")
print(f"\nMedians of {sys.argv[3]} runs (4 × 1 GiB stored archive, 127.0.0.1; rawzip/baseline verified by the driver, nginx raw bytes):\n")
print("| case | GB/s | server CPU-s/GB | TTFB p50 ms | TTFB p99 ms | peak RSS MiB | clean runs | failed/corrupt downloads |")
print("|---|---|---|---|---|---|---|---|")
for label in rows:
    fails = sum(int(r["failed"]) for r in rows[label]); bad = sum(int(r["corrupt"]) for r in rows[label])
    print(f"| {label} | {med(label,'gbps'):.3f} | {med(label,'cpu_s_per_gb'):.3f} | {med(label,'ttfb_p50_ms'):.1f} | {med(label,'ttfb_p99_ms'):.1f} | {med(label,'rss_peak_mib'):.0f} | {sum(r['failed'] == '0' and r['cancelled'] == '0' for r in rows[label])}/{len(rows[label])} | {fails}/{bad} |")
if sys.argv[2] == "compare":
    r = lambda a, b, k: med(a, k) / med(b, k)
    print("\n| ratio | measured | target |")
    print("|---|---|---|")
    print(f"| 1 download: CPU/GB rawzip ÷ nginx proxy | {r('rawzip-1','nginx-1','cpu_s_per_gb'):.2f} | ≤ 1.3 |")
    print(f"| 1 download: GB/s rawzip ÷ ZipArchive baseline | {r('rawzip-1','baseline-1','gbps'):.2f} | ≥ 2 |")
    print(f"| 4 concurrent: GB/s rawzip ÷ ZipArchive baseline | {r('rawzip-4','baseline-4','gbps'):.2f} | ≥ 2 |")
    print(f"| rawzip CPU/GB 4 concurrent ÷ 1 download | {r('rawzip-4','rawzip-1','cpu_s_per_gb'):.2f} | ≤ 1 |")
    print(f"| 1 download: GB/s rawzip ÷ nginx proxy | {r('rawzip-1','nginx-1','gbps'):.2f} | (info) |")
    print(f"| 1 download: CPU/GB rawzip ÷ ZipArchive baseline | {r('rawzip-1','baseline-1','cpu_s_per_gb'):.2f} | (info) |")
EOF
