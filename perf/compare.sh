#!/usr/bin/env bash
# Load measurements on loopback (127.0.0.1 only), every server fetching from the same origin. Usage:
#   perf/compare.sh load      a corpus of 4 files on disk (big/1.bin … big/4.bin, 1 GiB each) served by Debian's nginx
#                             (the *origin*: 1 worker, sendfile on); RawZipServer streams the stored 4-file archive
#                             big4 from it: 1 download, then 4 concurrent
#   perf/compare.sh compare   the same, plus side by side in the same run:
#                             - baseline: perf/Baselines/ZipArchiveBaseline (ASP.NET Core + ZipArchive), fetching the
#                               same 4 files from the same nginx origin with one shared HttpClient
#                             - nginx: a second Debian nginx proxying (proxy_pass) the origin, which serves big4's bytes
#                               (RawZipServer's archive saved to a file); driver in --raw mode; CPU = proxy workers only
#                             - then everything `small` does
#   perf/compare.sh small     many small files: RawZipServer on (a) SMALL_COUNT × 1 MiB and (b) big4, both from the same
#                             origin adding LATENCY_MS per request (Debian nginx + echo module: echo_sleep, same corpus),
#                             each with Upstream:Prefetch=0 and with the default (4); prints small ÷ big throughput
# The origin's CPU is never counted: server CPU is RawZipServer's or the baseline's own process, or the nginx proxy's
# workers. Each case runs REPS times (default 3) after one warm-up download; the table shows medians.
# Environment: REPS (3), SIZE_MIB (1024: size of each big file), SMALL_COUNT (1000, ≤ 10000), LATENCY_MS (2).
# Every driver run is bounded (--duration 100 and timeout 130 s); the make targets bound the whole script.
set -euo pipefail
MODE=${1:-load}
REPS=${REPS:-3}
SIZE_MIB=${SIZE_MIB:-1024}
SMALL_COUNT=${SMALL_COUNT:-1000}
LATENCY_MS=${LATENCY_MS:-2}
case $MODE in load | compare | small) ;; *) echo "usage: $0 load|compare|small" >&2; exit 2 ;; esac
[ "$SMALL_COUNT" -ge 1 ] && [ "$SMALL_COUNT" -le 10000 ] || { echo "SMALL_COUNT must be 1..10000" >&2; exit 2; }
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/perf/lib.sh"
perf_init rawzip-perf
projects=(src/RawZipServer perf/RawZipServer.LoadTest)
[ "$MODE" = compare ] && projects+=(perf/Baselines/ZipArchiveBaseline)
perf_build "${projects[@]}"
RAWZIP_BIN=src/RawZipServer/bin/Release/net10.0/rawzip
RESULTS=$WORK/results.txt
: > "$RESULTS"
chmod 755 "$WORK"   # nginx's workers read the corpus from here

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# --- The corpus: pseudo-random (AES-128-CTR keystream, incompressible) files on disk, in the page cache once written.
# gen_stream MIB SEED: MIB MiB on stdout (openssl dies of SIGPIPE when head has enough: expected).
gen_stream() { openssl enc -aes-128-ctr -K "$(printf '%032x' "$2")" -iv 0 -nosalt </dev/zero 2>/dev/null | head -c $(($1 << 20)) || true; }
echo "== generating the corpus in $WORK/www: 4 × $SIZE_MIB MiB$([ "$MODE" != load ] && echo " + $SMALL_COUNT × 1 MiB")" >&2
SECONDS=0
mkdir -p "$WORK/www/big" "$WORK/www/small" "$WORK/names"
for i in 1 2 3 4; do gen_stream "$SIZE_MIB" "$i" > "$WORK/www/big/$i.bin"; done
[ "$MODE" != load ] && gen_stream "$SMALL_COUNT" 99 | split -b 1048576 -d -a 4 --additional-suffix=.bin - "$WORK/www/small/f"
for i in 1 2 3 4; do [ "$(stat -c %s "$WORK/www/big/$i.bin")" -eq $((SIZE_MIB << 20)) ] || { echo "corpus: big/$i.bin is short" >&2; exit 1; }; done
[ "$MODE" = load ] || [ "$(find "$WORK/www/small" -name '*.bin' -size 1048576c | wc -l)" -eq "$SMALL_COUNT" ] || { echo "corpus: small files missing" >&2; exit 1; }
echo "   ${SECONDS} s" >&2

# Manifests (sizes, no CRCs: stored entries with data descriptors, Content-Length known) and the entry names each
# archive must hold, in order (the driver's --expect-names-file). m-corpus: origin "corpus" (the nginx origin),
# read by RawZipServer and by the baseline; m-lat: origin "lat" (the latency origin).
python3 - "$WORK" "$SIZE_MIB" "$SMALL_COUNT" <<'EOF'
import json, os, sys
work, mib, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def write(folder, id, origin, files):
    os.makedirs(f"{work}/{folder}", exist_ok=True)
    doc = {"name": f"{id}.zip", "files": [{"path": p, "origin": origin, "source": s, "size": z} for p, s, z in files]}
    with open(f"{work}/{folder}/{id}.json", "w") as f:
        json.dump(doc, f, indent=1)
    with open(f"{work}/names/{id}.txt", "w") as f:
        f.write("".join(p + "\n" for p, _, _ in files))
big = [(f"f{i}.bin", f"big/{i}.bin", mib << 20) for i in range(1, 5)]
write("m-corpus", "big4", "corpus", big)
write("m-lat", "big4", "lat", big)
write("m-lat", "small", "lat", [(f"small/f{i:04d}.bin", f"small/f{i:04d}.bin", 1 << 20) for i in range(n)])
EOF

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

# start_rawzip NAME [options…]: RawZipServer on a free port; sets RAWZIP (pid) and RZ (base URL).
start_rawzip() {
  local name=$1; shift
  "$RAWZIP_BIN" --Listen=http://127.0.0.1:0 --Logging:LogLevel:Default=Warning "$@" >"$WORK/$name.log" 2>&1 &
  RAWZIP=$!; PIDS+=("$RAWZIP")
  RZ=$(wait_url "$WORK/$name.log")
}

# need_nginx [PACKAGE…]: Debian's nginx (and extra module packages) from apt when missing; sets NGINX.
need_nginx() {
  local missing=()
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "== installing ${missing[*]} (apt-get)" >&2
    apt-get install -y "${missing[@]}" >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y "${missing[@]}" >/dev/null; }
  fi
  NGINX=$(command -v nginx || echo /usr/sbin/nginx)
}

# start_nginx ROLE PORT WORKERS LOCATION [MAIN]: Debian nginx in the foreground (daemon off), its own prefix in
# $WORK/ng-ROLE; MAIN goes to the main context (load_module).
start_nginx() {
  local role=$1 port=$2 workers=$3 loc=$4 main=${5:-}
  mkdir -p "$WORK/ng-$role/logs"
  cat > "$WORK/ng-$role/nginx.conf" <<EOF
$main
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
  server { listen 127.0.0.1:$port; location / { $loc } }
}
EOF
  "$NGINX" -p "$WORK/ng-$role" -c "$WORK/ng-$role/nginx.conf" 2>"$WORK/ng-$role/stderr" &
  PIDS+=("$!")
  for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && return 0; sleep 0.1; done
  echo "nginx $role did not start:" >&2; cat "$WORK/ng-$role/stderr" "$WORK/ng-$role/logs/error.log" >&2; return 1
}

if [ "$MODE" != small ]; then
  # --- The origin: Debian nginx serving the corpus from disk (page cache), 1 worker, sendfile.
  need_nginx
  OP=$(free_port)
  start_nginx origin "$OP" 1 "root $WORK/www; sendfile on;"
  ORIGIN_URL=http://127.0.0.1:$OP/

  # --- RawZipServer: origin socket → CRC-32 → response
  start_rawzip rawzip --Manifests:Directory="$WORK/m-corpus" --Origins:corpus:BaseUrl="$ORIGIN_URL"
  measure rawzip-1 "$RZ/archive/big4" "$RAWZIP" 1 --expect-names-file "$WORK/names/big4.txt"
  measure rawzip-4 "$RZ/archive/big4" "$RAWZIP" 4 --expect-names-file "$WORK/names/big4.txt"

  if [ "$MODE" = compare ]; then
    # The nginx proxy case proxies big4's own bytes: RawZipServer's archive, saved where the origin serves it.
    echo "== saving big4.zip (RawZipServer's archive) for the nginx proxy case" >&2
    curl -sf --max-time 120 -o "$WORK/www/big4.zip" "$RZ/archive/big4"
    kill "$RAWZIP"

    # --- ASP.NET Core + ZipArchive baseline, same origin, same files
    perf/Baselines/ZipArchiveBaseline/bin/Release/net10.0/ZipArchiveBaseline --urls http://127.0.0.1:0 \
      --Origin="$ORIGIN_URL" --Manifests="$WORK/m-corpus" >"$WORK/baseline.log" 2>&1 &
    BASE=$!; PIDS+=("$BASE")
    BU=$(wait_url "$WORK/baseline.log")
    measure baseline-1 "$BU/archive/big4" "$BASE" 1 --expect-names-file "$WORK/names/big4.txt"
    measure baseline-4 "$BU/archive/big4" "$BASE" 4 --expect-names-file "$WORK/names/big4.txt"
    kill "$BASE"

    # --- nginx proxying the same bytes from the same origin
    PP=$(free_port)
    start_nginx proxy "$PP" auto "proxy_pass http://127.0.0.1:$OP; proxy_http_version 1.1; proxy_set_header Connection \"\"; proxy_max_temp_file_size 0;"
    # Worker PIDs are looked up again before every run (a worker nginx replaced would otherwise be missed).
    measure nginx-1 "http://127.0.0.1:$PP/big4.zip" @nginx 1 --raw
    measure nginx-4 "http://127.0.0.1:$PP/big4.zip" @nginx 4 --raw
    kill "$(cat "$WORK/ng-proxy/nginx.pid")"
  fi
  kill "$RAWZIP" 2>/dev/null || true
fi

if [ "$MODE" != load ]; then
  # --- Many small files: the same corpus through an origin that waits LATENCY_MS before every response head:
  # Debian nginx with the echo module (echo_sleep on nginx's own timers, then an internal redirect to the file,
  # served with sendfile, Content-Length and ETag). /n/ serves the same files without the wait, to measure it.
  need_nginx libnginx-mod-http-echo
  LP=$(free_port)
  start_nginx latency "$LP" 1 "location ~ ^/d/(?<rest>.*)\$ { echo_sleep $(python3 -c "print($LATENCY_MS / 1000)"); echo_exec /f/\$rest; }
    location /f/ { internal; alias $WORK/www/; sendfile on; } location /n/ { alias $WORK/www/; sendfile on; }" \
    "load_module /usr/lib/nginx/modules/ngx_http_echo_module.so;"
  LAT_URL=http://127.0.0.1:$LP/d/
  for prefetch in 0 default; do
    opts=(--Manifests:Directory="$WORK/m-lat" --Origins:lat:BaseUrl="$LAT_URL")
    [ "$prefetch" = default ] || opts+=(--Upstream:Prefetch="$prefetch")
    start_rawzip "rawzip-prefetch-$prefetch" "${opts[@]}"
    measure "small-prefetch-$prefetch" "$RZ/archive/small" "$RAWZIP" 1 --expect-names-file "$WORK/names/small.txt"
    measure "big4-prefetch-$prefetch" "$RZ/archive/big4" "$RAWZIP" 1 --expect-names-file "$WORK/names/big4.txt"
    kill "$RAWZIP"
  done
  # The wait the origin really adds: median time to first byte of 50 requests for one small file, with and
  # without echo_sleep, measured by curl after the runs.
  ttfb() { for _ in $(seq 50); do curl -s -o /dev/null -w '%{time_starttransfer}\n' "$1"; done | sort -n | sed -n 25p; }
  LAT_MEAN=$(python3 -c "print(f'{($(ttfb "$LAT_URL"small/f0000.bin) - $(ttfb "http://127.0.0.1:$LP/n/small/f0000.bin")) * 1000:.2f}')")
  echo "   latency origin: $LATENCY_MS ms asked, $LAT_MEAN ms added (median time to first byte, 50 requests each)" >&2
fi

python3 - "$RESULTS" "$MODE" "$REPS" "$SIZE_MIB" "$SMALL_COUNT" "$LATENCY_MS" "${LAT_MEAN:-?}" <<'EOF'
import sys, statistics, collections
_, path, mode, reps, mib, count, latency, latency_mean = sys.argv
rows = collections.defaultdict(list)
for line in open(path):
    f = dict(kv.split("=", 1) for kv in line.split()[1:])
    rows[f["label"]].append(f)
def med(label, key):
    # Only runs where every download completed and verified.
    vals = [float(r[key]) for r in rows.get(label, [])
            if r["failed"] == "0" and r["cancelled"] == "0" and r.get(key) not in (None, "n/a", "NaN")]
    return statistics.median(vals) if vals else float("nan")
size = f"{int(mib) // 1024} GiB" if int(mib) % 1024 == 0 else f"{mib} MiB"
what = [f"big4 = 4 × {size} stored"] + ([f"small = {count} × 1 MiB stored"] if mode != "load" else [])
what += ["ZIP archives verified by the driver, entry names in manifest order"] + (["nginx raw bytes"] if mode == "compare" else [])
print(f"\nMedians of {reps} runs (127.0.0.1; {'; '.join(what)}; origin CPU not counted):\n")
print("| case | GB/s | server CPU-s/GB | TTFB p50 ms | TTFB p99 ms | peak RSS MiB | clean runs | failed/corrupt downloads |")
print("|---|---|---|---|---|---|---|---|")
for label in rows:
    fails = sum(int(r["failed"]) for r in rows[label]); bad = sum(int(r["corrupt"]) for r in rows[label])
    print(f"| {label} | {med(label,'gbps'):.3f} | {med(label,'cpu_s_per_gb'):.3f} | {med(label,'ttfb_p50_ms'):.1f} | {med(label,'ttfb_p99_ms'):.1f} | {med(label,'rss_peak_mib'):.0f} | {sum(r['failed'] == '0' and r['cancelled'] == '0' for r in rows[label])}/{len(rows[label])} | {fails}/{bad} |")
r = lambda a, b, k: med(a, k) / med(b, k)
if mode != "load":
    print("\n| ratio | measured | target |")
    print("|---|---|---|")
if mode == "compare":
    print(f"| 1 download: CPU/GB rawzip ÷ nginx proxy | {r('rawzip-1','nginx-1','cpu_s_per_gb'):.2f} | ≤ 1.3 |")
    print(f"| 1 download: GB/s rawzip ÷ ZipArchive baseline | {r('rawzip-1','baseline-1','gbps'):.2f} | ≥ 2 |")
    print(f"| 4 concurrent: GB/s rawzip ÷ ZipArchive baseline | {r('rawzip-4','baseline-4','gbps'):.2f} | ≥ 2 |")
    print(f"| rawzip CPU/GB 4 concurrent ÷ 1 download | {r('rawzip-4','rawzip-1','cpu_s_per_gb'):.2f} | ≤ 1 |")
    print(f"| 1 download: GB/s rawzip ÷ nginx proxy | {r('rawzip-1','nginx-1','gbps'):.2f} | (info) |")
    print(f"| 1 download: CPU/GB rawzip ÷ ZipArchive baseline | {r('rawzip-1','baseline-1','cpu_s_per_gb'):.2f} | (info) |")
if mode != "load":
    print(f"| {latency} ms origin: GB/s small ÷ big4, Upstream:Prefetch=4 (default) | {r('small-prefetch-default','big4-prefetch-default','gbps'):.2f} | ≥ 0.70 |")
    print(f"| {latency} ms origin: GB/s small ÷ big4, Upstream:Prefetch=0 | {r('small-prefetch-0','big4-prefetch-0','gbps'):.2f} | (info) |")
    print(f"\nLatency origin: {latency} ms asked (nginx echo_sleep); it added {latency_mean} ms (median time to first byte with and without it, 50 requests each, after the runs).")
EOF
