#!/usr/bin/env bash
# bench/h2.sh — HTTP/2 (h2c, prior knowledge) through Switchboard and through NGINX `http2`, side by
# side, driven by h2load with several streams per connection, in interleaved rounds (sb nginx sb
# nginx ...). Both proxy to the same nginx back-ends over HTTP/1.1 keep-alive, as in production.
# For each case it prints the median req/s, the proxy's own CPU time per request (µs, from
# /proc/PID/stat) and the ratio to NGINX. The machine is shared: compare ratios within one run.
#   bench/h2.sh                        # 3 rounds x 10 s, 16 connections x 10 streams
#   bench/h2.sh -r 1 -d 3 -w 5         # a smoke run (the JIT still compiling: CPU per request is inflated)
#   -w SEC: Switchboard's warm-up before the rounds (default 20; its JIT compiles the hot path meanwhile)
#   bench/h2.sh -c 64 -m 20 -p /1k     # other shapes (-p: a path the back-end serves: / is "ok", /1k, /64k)
# Needs: apt-get install -y nghttp2-client nginx-light; the runtime built (mvn -q -DskipTests package).
# For HTTP/1.1 comparisons (wrk) use bench/run.sh; bench/switchboard.sh with H2C=true is the same
# Switchboard as a --custom case of ../shared/bench/bench.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
rounds=3 secs=10 conns=16 streams=10 path=/ backends=2 warm=20
while getopts "r:d:c:m:p:b:w:" o; do
  case $o in
    r) rounds=$OPTARG;; d) secs=$OPTARG;; w) warm=$OPTARG;; c) conns=$OPTARG;; m) streams=$OPTARG;; p) path=$OPTARG;; b) backends=$OPTARG;;
    *) sed -n 2,12p "$0"; exit 2;;
  esac
done
for t in h2load nginx curl python3 java; do
  command -v "$t" >/dev/null || [ -x "/usr/sbin/$t" ] || { echo "missing tool: $t" >&2; exit 2; }
done
[ -f "$top/runtime/target/switchboard.jar" ] || { echo "build first: mvn -q -DskipTests package" >&2; exit 2; }
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

out=$(mktemp -d "${TMPDIR:-/tmp}/switchboard-h2bench.XXXXXX")
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# The back-ends: one nginx process serving every back-end port.
be_ports=() be_csv=""
for _ in $(seq "$backends"); do p=$(free_port); be_ports+=("$p"); be_csv+="${be_csv:+,}127.0.0.1:$p"; done
mkdir -p "$out/be"
head -c 1024 /dev/zero | tr '\0' a >"$out/be/1k"; head -c 65536 /dev/zero | tr '\0' b >"$out/be/64k"
chmod -R a+rX "$out"
{
  echo "worker_processes 1; daemon off; pid $out/be.pid; error_log $out/be.err warn;"
  echo "events { worker_connections 4096; }"
  echo "http { access_log off; default_type text/plain; keepalive_requests 100000000;"
  for t in client_body proxy fastcgi uwsgi scgi; do echo "  ${t}_temp_path $out/be-$t;"; done
  for p in "${be_ports[@]}"; do echo "  server { listen 127.0.0.1:$p; location = / { return 200 \"ok\\n\"; } location / { root $out/be; } }"; done
  echo "}"
} >"$out/be.conf"
"$nginx_bin" -p "$out" -c "$out/be.conf" -e "$out/be.err" & pids+=($!)

# NGINX as the HTTP/2 front: one worker (as Switchboard runs one event loop), no master, keep-alive upstream.
ng_port=$(free_port)
{
  echo "master_process off; worker_processes 1; daemon off; pid $out/ng.pid; error_log $out/ng.err warn;"
  echo "events { worker_connections 4096; }"
  echo "http { access_log off; http2_max_concurrent_streams 128; keepalive_requests 100000000;"
  for t in client_body proxy fastcgi uwsgi scgi; do echo "  ${t}_temp_path $out/ng-$t;"; done
  echo "  upstream be { $(for p in "${be_ports[@]}"; do printf 'server 127.0.0.1:%s; ' "$p"; done) keepalive 64; }"
  echo "  server { listen 127.0.0.1:$ng_port http2; location / { proxy_pass http://be; proxy_http_version 1.1; proxy_set_header Connection \"\"; } }"
  echo "}"
} >"$out/ng.conf"
"$nginx_bin" -p "$out" -c "$out/ng.conf" -e "$out/ng.err" & ng_pid=$!; pids+=($ng_pid)

# Switchboard: one frontend with h2c on, one event loop (bench/switchboard.sh).
sb_port=$(free_port)
H2C=true PA_RUN_DIR=$out "$here/switchboard.sh" "$sb_port" "$be_csv" >"$out/sb.log" 2>&1 & sb_pid=$!; pids+=($sb_pid)

wait_up() { # port
  for _ in $(seq 600); do curl -s -o /dev/null --http2-prior-knowledge "http://127.0.0.1:$1$path" && return 0; sleep 0.1; done
  echo "nothing answers HTTP/2 on port $1 (see $out)" >&2; exit 1
}
wait_up "$ng_port"; wait_up "$sb_port"

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
run() { # name port pid round
  local before after res
  before=$(cpu_ticks "$3")
  res=$(h2load -D "$secs" -c "$conns" -m "$streams" "http://127.0.0.1:$2$path" 2>&1) || true
  after=$(cpu_ticks "$3")
  echo "$res" >"$out/$1-$4.txt"
  local succeeded failed
  succeeded=$(echo "$res" | sed -n 's/^requests: .* \([0-9]*\) succeeded, \([0-9]*\) failed.*/\1/p')
  failed=$(echo "$res" | sed -n 's/^requests: .* \([0-9]*\) succeeded, \([0-9]*\) failed.*/\2/p')
  [ -n "$succeeded" ] || { echo "h2load gave no summary for $1 (see $out/$1-$4.txt)" >&2; return 1; }
  echo "$1 $4 $succeeded $failed $(( (after - before) * 1000000 / hz ))" >>"$out/runs.txt"
}

# Warm-up (the JVM compiles its hot path), then interleaved rounds.
h2load -D "$warm" -c "$conns" -m "$streams" "http://127.0.0.1:$sb_port$path" >/dev/null 2>&1 || true
h2load -D 2 -c "$conns" -m "$streams" "http://127.0.0.1:$ng_port$path" >/dev/null 2>&1 || true
for r in $(seq "$rounds"); do
  run switchboard "$sb_port" "$sb_pid" "$r"
  run nginx "$ng_port" "$ng_pid" "$r"
done

echo "h2load -D $secs -c $conns -m $streams $path, $rounds rounds (results in $out)"
python3 - "$out/runs.txt" "$secs" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
secs = float(sys.argv[2])
cases = {}
for name, rnd, ok, failed, cpu_us in rows:
    c = cases.setdefault(name, {"rps": [], "cpu": [], "failed": 0})
    c["rps"].append(int(ok) / secs)
    c["cpu"].append(int(cpu_us) / max(1, int(ok)))
    c["failed"] += int(failed)
ref = cases.get("nginx")
print(f"{'case':12} {'req/s':>10} {'CPU us/req':>11} {'failed':>7} {'req/s x nginx':>14} {'CPU x nginx':>12}")
for name, c in cases.items():
    rps, cpu = statistics.median(c["rps"]), statistics.median(c["cpu"])
    rr = rps / statistics.median(ref["rps"]) if ref else float("nan")
    cr = cpu / statistics.median(ref["cpu"]) if ref else float("nan")
    print(f"{name:12} {rps:10.0f} {cpu:11.1f} {c['failed']:7d} {rr:14.2f} {cr:12.2f}")
PY
