#!/usr/bin/env bash
# bench/alloc.sh [SECONDS] — bytes the event-loop threads allocate per keep-alive request, after warm-up.
#
# Starts one nginx back-end (answers "ok") and the runtime through bench/switchboard.sh (one event
# loop unless LOOPS says otherwise) on free ports of 127.0.0.1, warms up with wrk, then reads each
# sb-io thread's allocated bytes (HotSpot's per-thread counter, `jcmd PID Thread.print -e`) before
# and after a measured wrk run and divides their growth by the requests wrk completed. The counter
# is exact (every TLAB and outside-TLAB allocation of the thread); the sum is rounded to the unit
# jcmd prints (K or M), which over a run of a million requests is below one byte per request.
#   bench/alloc.sh             # 20 s measured, 64 connections
#   JFR=1 bench/alloc.sh 10    # also records jdk.ObjectAllocationSample and lists the top allocation sites
#   CLOSE=1 bench/alloc.sh 10  # one request per connection (-H 'Connection: close'): bytes per connection
# env: SWITCHBOARD_JAR (another build)  CONNS (64)  WARM (warm-up seconds, 20)  LOOPS (1)  JAVA_OPTS
#      TOP (sites listed, 25)  PATH_ (request path, /)
# Needs: wrk, nginx, a JDK with jcmd (and jfr for JFR=1); the runtime built (mvn -q -DskipTests package).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
secs=${1:-20}
conns=${CONNS:-64}
warm=${WARM:-20}
top=${TOP:-25}
work=$(mktemp -d "${TMPDIR:-/tmp}/switchboard-alloc.XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
wait_port() {
  for _ in $(seq 1 600); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "nothing listens on port $1" >&2
  return 1
}

be=$(free_port)
lb=$(free_port)
mkdir -p "$work/nginx/logs"
cat >"$work/nginx/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 100000000;
  server { listen 127.0.0.1:$be; location / { return 200 "ok\n"; } }
}
EOF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" &
pids+=($!)
PA_RUN_DIR=$work "$here/switchboard.sh" "$lb" "127.0.0.1:$be" >"$work/switchboard.log" 2>&1 &
sb=$!
pids+=("$sb")
wait_port "$be"
wait_port "$lb"
url=http://127.0.0.1:$lb${PATH_:-/}
curl -sf "$url" >/dev/null || { echo "no answer through Switchboard:"; cat "$work/switchboard.log"; exit 1; } >&2

# The sum of the event-loop threads' allocated bytes (jcmd prints B, K, M or G).
allocated() {
  jcmd "$sb" Thread.print -e | awk '
    /^"sb-io-/ && match($0, /allocated=[0-9.]+[BKMG]?/) {
      v = substr($0, RSTART + 10, RLENGTH - 10); u = substr(v, length(v)); n = v + 0
      if (u == "K") n *= 1024; else if (u == "M") n *= 1048576; else if (u == "G") n *= 1073741824
      s += n; threads++
    }
    END { if (threads == 0) exit 1; printf "%.0f\n", s }'
}

echo "warm-up: ${warm} s, $conns connections" >&2
hdr=()
[ -z "${CLOSE:-}" ] || hdr=(-H 'Connection: close')
wrk -t1 -c"$conns" -d"${warm}s" "${hdr[@]}" "$url" >/dev/null
if [ -n "${JFR:-}" ]; then
  jcmd "$sb" JFR.start name=alloc settings=profile filename="$work/alloc.jfr" >/dev/null
fi
before=$(allocated)
out=$(wrk -t1 -c"$conns" -d"${secs}s" "${hdr[@]}" "$url")
after=$(allocated)
if [ -n "${JFR:-}" ]; then
  jcmd "$sb" JFR.stop name=alloc >/dev/null
fi
requests=$(echo "$out" | awk '/requests in/ { print $1 }')
errors=$(echo "$out" | awk '/Non-2xx|Socket errors/ { print }')
echo "$out" | sed -n '/Latency/p;/requests in/p;/Requests\/sec/p' >&2
[ -z "$errors" ] || echo "wrk: $errors" >&2
awk -v a="$after" -v b="$before" -v r="$requests" 'BEGIN {
  printf "event-loop threads allocated %.0f bytes over %d requests: %.1f bytes/request\n", a - b, r, (a - b) / r }'

if [ -n "${JFR:-}" ]; then
  # Top allocation sites: the sampled weight by the allocating frame and the first frame of the project's code.
  jfr print --json --stack-depth 64 --events jdk.ObjectAllocationSample "$work/alloc.jfr" >"$work/alloc.json"
  python3 - "$work/alloc.json" "$top" <<'EOF'
import json, sys, collections
events = json.load(open(sys.argv[1]))["recording"]["events"]
top = int(sys.argv[2])
by_site = collections.Counter()
by_class = collections.Counter()
total = 0
def name(f):
    m = f["method"]
    return m["type"]["name"].replace("/", ".") + "." + m["name"] + ":" + str(f.get("lineNumber", "?"))
for e in events:
    v = e["values"]
    if not v.get("eventThread", {}).get("javaName", "").startswith("sb-io-"):
        continue
    w = v["weight"]
    total += w
    frames = (v.get("stackTrace") or {}).get("frames") or []
    first = name(frames[0]) if frames else "?"
    ours = next((n for n in map(name, frames) if n.startswith("io.switchboard")), "-")
    cls = v["objectClass"]["name"].replace("/", ".")
    by_site[(cls, first, ours)] += w
    by_class[cls] += w
print(f"\nJFR allocation samples on the event-loop threads (weight = estimated bytes), total {total:,}")
print(f"{'share':>6}  {'class':<45} {'allocated in':<70} first frame of ours (when another)")
for (cls, first, ours), w in by_site.most_common(top):
    print(f"{100.0 * w / total:5.1f}%  {cls:<45} {first:<70} {'' if ours == first else ours}")
print("\nby class:")
for cls, w in by_class.most_common(15):
    print(f"{100.0 * w / total:5.1f}%  {cls}")
EOF
fi
