#!/usr/bin/env bash
# Bounded soak on loopback (127.0.0.1 only), not a test: nothing is timed or asserted except "no corrupt archive".
#   SOAK_MINUTES=N perf/soak.sh        (default 10; `make soak` bounds the whole script to N + 5 minutes)
# Starts the Release server on 127.0.0.1:0 with a manifest folder mixing the synthetic origin and a faulty HTTP
# origin (perf/FaultyOrigin: recoverable resets, stalls and 503s, and unrecoverable changing ETags, endless 503s and
# short bodies), then runs three load drivers side by side for N minutes, 200 concurrent downloads in all:
#   fast        10 clients reading as fast as they can
#   slow       150 clients reading 256 KiB/s each
#   disconnect  40 clients reading 2 MiB/s, 60 % of whom leave after a pseudo-random 0–8 MiB
# Every download is verified while it streams (perf/RawZipServer.LoadTest). Reports completed / aborted /
# corrupt / cancelled (cut at the end) / disconnected counts, server RSS every 10 s, and the server's open file
# descriptors before the load, when it ends and after they settle (≤ 75 s). Exit code 1 when any archive was corrupt
# or the server died.
set -euo pipefail
MINUTES=${SOAK_MINUTES:-10}
SECS=${SOAK_SECONDS:-$((MINUTES * 60))}   # SOAK_SECONDS: for a quick try of the script itself
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/perf/lib.sh"
perf_init rawzip-soak
perf_build src/RawZipServer perf/RawZipServer.LoadTest perf/FaultyOrigin

fds() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }
sockets() { find "/proc/$1/fd" -lname 'socket:*' 2>/dev/null | wc -l; }
fd_kinds() { # "N socket, N pipe, …" by readlink target kind
  for f in /proc/$1/fd/*; do readlink "$f" 2>/dev/null; done | sed -E 's/^(socket|pipe|anon_inode):.*/\1/; s|^/dev/.*|/dev|; s|^/.*|file|' \
    | sort | uniq -c | awk '{ printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2 }'
}
fd_names() { for f in /proc/$1/fd/*; do readlink "$f" 2>/dev/null; done | sed -E 's/^(socket|pipe|anon_inode):.*/\1/' | sort; }
rss_mib() { awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo gone; }

perf/FaultyOrigin/bin/Release/net10.0/FaultyOrigin --urls http://127.0.0.1:0 >"$WORK/origin.log" 2>&1 &
ORIGIN=$!; PIDS+=("$ORIGIN")
FO=$(wait_url "$WORK/origin.log")

M=$((1 << 20))
mkdir -p "$WORK/manifests"
# Recoverable with Upstream:Retries (3): every download of these should complete.
cat > "$WORK/manifests/good-syn.json" <<EOF2
{ "name": "good-syn.zip", "files": [
  { "path": "a.bin", "origin": "synthetic", "source": "/$((2 * M))/1", "size": $((2 * M)) },
  { "path": "b.bin", "origin": "synthetic", "source": "/$((2 * M))/2", "size": $((2 * M)) },
  { "path": "c.bin", "origin": "synthetic", "source": "/$((2 * M))/3", "size": $((2 * M)) },
  { "path": "d.bin", "origin": "synthetic", "source": "/$((2 * M + 7))/4", "size": $((2 * M + 7)) } ] }
EOF2
cat > "$WORK/manifests/good-mixed.json" <<EOF2
{ "name": "good-mixed.zip", "files": [
  { "path": "syn.bin", "origin": "synthetic", "source": "/$M/5", "size": $M },
  { "path": "ok.bin", "origin": "faulty", "source": "/ok/$((2 * M))/6", "size": $((2 * M)) },
  { "path": "reset.bin", "origin": "faulty", "source": "/reset/65536/$((2 * M))/7" },
  { "path": "error.bin", "origin": "faulty", "source": "/error/$M/8" },
  { "path": "stall.bin", "origin": "faulty", "source": "/stall/$M/9", "size": $M },
  { "path": "tail.bin", "origin": "synthetic", "source": "/$((M + 3))/10" } ] }
EOF2
# Not recoverable: the server must abort these downloads (never finish them with wrong bytes).
cat > "$WORK/manifests/bad-etag.json" <<EOF2
{ "name": "bad-etag.zip", "files": [
  { "path": "syn.bin", "origin": "synthetic", "source": "/$M/11", "size": $M },
  { "path": "changing.bin", "origin": "faulty", "source": "/changing-etag/$((2 * M))/12", "size": $((2 * M)) },
  { "path": "tail.bin", "origin": "synthetic", "source": "/$M/13", "size": $M } ] }
EOF2
cat > "$WORK/manifests/bad-503.json" <<EOF2
{ "name": "bad-503.zip", "files": [
  { "path": "syn.bin", "origin": "synthetic", "source": "/$M/14", "size": $M },
  { "path": "down.bin", "origin": "faulty", "source": "/always-503/$M/15" } ] }
EOF2
cat > "$WORK/manifests/bad-short.json" <<EOF2
{ "name": "bad-short.zip", "files": [
  { "path": "ok.bin", "origin": "faulty", "source": "/ok/$M/16", "size": $M },
  { "path": "short.bin", "origin": "faulty", "source": "/short/$((2 * M))/17", "size": $((2 * M)) } ] }
EOF2

src/RawZipServer/bin/Release/net10.0/rawzip --Listen=http://127.0.0.1:0 --Manifests:Directory="$WORK/manifests" \
  --Origins:synthetic:Synthetic=true --Origins:faulty:BaseUrl="$FO/" --DefaultOrigin=synthetic \
  --Upstream:Retries=3 --Upstream:IdleTimeout=00:00:02 \
  --Logging:LogLevel:Default=Warning --Logging:LogLevel:RawZipServer.Access=Information \
  --Logging:Console:FormatterName=json --Logging:Console:FormatterOptions:TimestampFormat="HH:mm:ss.fff " \
  --Logging:Console:FormatterOptions:UseUtcTimestamp=true >"$WORK/rawzip.log" 2>&1 &
RAWZIP=$!; PIDS+=("$RAWZIP")
RZ=$(wait_url "$WORK/rawzip.log")

# One download of each archive first: the good ones must complete, the bad ones must not (and none may be corrupt).
echo "== single downloads" >&2
for id in good-syn good-mixed bad-etag bad-503 bad-short; do
  out=$(timeout 60 "$DRIVER" --url "$RZ/archive/$id" --duration 50 --quiet --label "$id" || true)
  echo "   $(grep '^RESULT' <<<"$out")" >&2
  grep '^failure' <<<"$out" | sed 's/^/     /' >&2 || true
done
sleep 1
FD0=$(fds "$RAWZIP"); SOCK0=$(sockets "$RAWZIP"); KINDS0=$(fd_kinds "$RAWZIP"); fd_names "$RAWZIP" >"$WORK/fd0"; RSS0=$(rss_mib "$RAWZIP")
echo "== soak: $SECS s, 200 concurrent downloads; server PID $RAWZIP: $FD0 fds ($SOCK0 sockets), RSS $RSS0 MiB" >&2

# 8 URLs round-robin per driver: 3/8 of the downloads are of archives the server has to abort.
URLS=()
for id in good-syn good-mixed good-syn bad-etag good-mixed bad-503 good-syn bad-short; do URLS+=(--url "$RZ/archive/$id"); done
run_driver() { # LABEL OPTIONS…
  local label=$1; shift
  timeout $((SECS + 90)) "$DRIVER" "${URLS[@]}" --count 10000000 --duration "$SECS" --quiet --label "$label" \
    --server-pid "$RAWZIP" "$@" >"$WORK/$label.out" 2>&1 || true
}
run_driver fast --concurrency 10 &
D1=$!
run_driver slow --concurrency 150 --read-rate 262144 --buffer 65536 &
D2=$!
run_driver disconnect --concurrency 40 --read-rate 2097152 --buffer 65536 --disconnect-fraction 0.6 --disconnect-max $((8 * M)) &
D3=$!
PIDS+=("$D1" "$D2" "$D3")

START=$(date +%s)
RSS_LINE="0s $RSS0"
# Bounded: at most SECS/10 + 12 samples (the drivers end at SECS plus the download they are in).
for i in $(seq 1 $((SECS / 10 + 12))); do
  sleep 10
  t=$(( $(date +%s) - START ))
  r=$(rss_mib "$RAWZIP")
  RSS_LINE+=", ${t}s $r"
  echo "   ${t}s: server RSS $r MiB, $(fds "$RAWZIP") fds" >&2
  if ! kill -0 "$D1" 2>/dev/null && ! kill -0 "$D2" 2>/dev/null && ! kill -0 "$D3" 2>/dev/null; then break; fi
done
wait "$D1" "$D2" "$D3" || true

# File descriptors after the load: poll ≤ 75 s for them to settle (closing sockets; idle pooled connections to the
# faulty origin are closed after about a minute).
FD1=$(fds "$RAWZIP")
FDEND=$FD1
for _ in $(seq 75); do
  [ "$FD1" -le "$FD0" ] && break
  sleep 1; FD1=$(fds "$RAWZIP")
done
SOCK1=$(sockets "$RAWZIP"); KINDS1=$(fd_kinds "$RAWZIP"); fd_names "$RAWZIP" >"$WORK/fd1"
NEWFDS=$(comm -13 "$WORK/fd0" "$WORK/fd1" | xargs -r -n1 basename | sort | uniq -c | awk '{ printf "%s%s ×%s", (NR > 1 ? ", " : ""), $2, $1 }' | head -c 600)
OPORT=${FO##*:}
TO_ORIGIN=$(ss -Htn state established "( dport = :$OPORT )" 2>/dev/null | wc -l || echo '?')
ALIVE=yes; kill -0 "$RAWZIP" 2>/dev/null || ALIVE=no

echo
echo "## Soak: $SECS s, 200 concurrent clients (10 fast, 150 slow at 256 KiB/s, 40 at 2 MiB/s of whom 60 % disconnect)"
echo
for l in fast slow disconnect; do grep -E '^(RESULT|failure|server:)' "$WORK/$l.out" | sed "s/^failure/failure ($l)/"; done
echo
python3 - "$WORK" <<'EOF2'
import sys, os
rows = []
for l in ("fast", "slow", "disconnect"):
    for line in open(os.path.join(sys.argv[1], l + ".out")):
        if line.startswith("RESULT"):
            rows.append(dict(kv.split("=", 1) for kv in line.split()[1:]))
print("| clients | completed | aborted (by the server) | corrupt | cut at the end | disconnected by the client | GB/s | server peak RSS MiB |")
print("|---|---|---|---|---|---|---|---|")
tot = {k: 0 for k in ("completed", "failed", "corrupt", "cancelled", "disconnected")}
for r in rows:
    for k in tot: tot[k] += int(r[k])
    print(f"| {r['label']} | {r['completed']} | {int(r['failed']) - int(r['corrupt'])} | {r['corrupt']} | {r['cancelled']} | {r['disconnected']} | {float(r['gbps']):.3f} | {r['rss_peak_mib']} |")
print(f"| **all** | {tot['completed']} | {tot['failed'] - tot['corrupt']} | {tot['corrupt']} | {tot['cancelled']} | {tot['disconnected']} | | |")
open(os.path.join(sys.argv[1], "corrupt"), "w").write(str(tot["corrupt"]) if len(rows) == 3 else "missing")
EOF2
echo
echo "server RSS MiB (t since the load started): $RSS_LINE"
echo "server file descriptors: $FD0 before the load ($SOCK0 sockets), $FDEND when the drivers ended, $FD1 after settling ≤ 75 s ($SOCK1 sockets; $TO_ORIGIN established connections to the faulty origin); server still running: $ALIVE"
echo "  by kind before: $KINDS0; after: $KINDS1"
echo "  open after and not before: ${NEWFDS:-none}"
# The server's own view (access log, JSON): downloads by archive, result and reason.
python3 - "$WORK/rawzip.log" <<'EOF2'
import sys, json, collections, re
seen, other = collections.Counter(), collections.Counter()
for line in open(sys.argv[1], errors="replace"):
    try:
        e = json.loads(line)
    except ValueError:
        continue
    st = e.get("State") or {}
    if e.get("Category") == "RawZipServer.Access":
        seen[(st.get("Path", "?"), st.get("Result", "?"), re.sub(r"after \d+ bytes", "after N bytes", st.get("Reason") or "")[:90])] += 1
    else:
        other[(e.get("LogLevel"), e.get("Category"), re.sub(r"\d+", "N", re.sub(r"^\S+: ", "", e.get("Message") or ""))[:100])] += 1
print("\nserver access log (whole run, single downloads included):\n")
print("| archive | result | reason | downloads |\n|---|---|---|---|")
for (path, result, reason), n in sorted(seen.items()):
    print(f"| {path} | {result} | {reason} | {n} |")
print("\nother server log lines: " + ("; ".join(f"{lvl} {cat} \"{msg}\" ×{n}" for (lvl, cat, msg), n in other.most_common(4)) or "none"))
EOF2
echo "faulty origin requests by route: $(curl -s --max-time 5 "$FO/stats" | paste -sd' ' | sed 's/ \([a-z]\)/, \1/g')"
CORRUPT=$(cat "$WORK/corrupt")
if [ "$CORRUPT" != 0 ] || [ "$ALIVE" != yes ]; then
  echo "SOAK FAILED: corrupt=$CORRUPT server running=$ALIVE"
  exit 1
fi
