#!/usr/bin/env bash
# bench/tls.sh — TLS termination: Switchboard against HAProxy with the same certificate, wrk over https.
#   bench/tls.sh                       # keep-alive: 3 rounds x 10 s at 64 connections
#   bench/tls.sh -c 16 -r 5 -d 10      # connections, rounds, seconds per run (-w: Switchboard's warm-up, 20 s)
#   bench/tls.sh -H 'Connection: close'  # a new TLS handshake for every request
# Starts one nginx back-end on 127.0.0.1 (ports BASE_PORT+1..+3, BASE_PORT=9100 by default), HAProxy 2.x (nbthread 1) and bench/switchboard-tls.sh
# (one event loop), each on its own port, interleaves the runs, and prints per case the median req/s and
# CPU per request (the proxy's process group, from /proc). Every process it starts is stopped by its PID.
# Needs: wrk, nginx, haproxy, openssl, and the runtime built (mvn -q -DskipTests package).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
conns=64 rounds=3 secs=10 warm=20 header=()
while getopts c:r:d:w:H: o; do
  case $o in c) conns=$OPTARG;; r) rounds=$OPTARG;; d) secs=$OPTARG;; w) warm=$OPTARG;; H) header=(-H "$OPTARG");; *) exit 2;; esac
done
work=$(mktemp -d /tmp/sb-tls-bench.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -- "-$p" 2>/dev/null || kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
base=${BASE_PORT:-9100}; be=$((base + 1)) hap=$((base + 2)) sb=$((base + 3))
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
  -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
cat "$work/cert.pem" "$work/key.pem" >"$work/haproxy.pem"
cat >"$work/nginx.conf" <<NGX
worker_processes 1; daemon off; pid $work/nginx.pid; error_log $work/nginx.err warn;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 100000000;
  server { listen 127.0.0.1:$be; location / { add_header X-Be $be; return 200 "ok\n"; } } }
NGX
cat >"$work/haproxy.cfg" <<HAP
global
  nbthread 1
  maxconn 4096
  tune.ssl.default-dh-param 2048
  ssl-default-bind-options ssl-min-ver TLSv1.2
defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  option http-keep-alive
frontend fe
  bind 127.0.0.1:$hap ssl crt $work/haproxy.pem
  default_backend be
backend be
  server s1 127.0.0.1:$be
HAP
setsid nginx -p "$work" -c "$work/nginx.conf" >/dev/null 2>&1 & pids+=($!)
setsid haproxy -f "$work/haproxy.cfg" >"$work/haproxy.log" 2>&1 & pids+=($!)
PA_RUN_DIR=$work CERT=$work/cert.pem KEY=$work/key.pem setsid "$here/switchboard-tls.sh" "$sb" "127.0.0.1:$be" >"$work/switchboard.log" 2>&1 & pids+=($!)
hap_pid=${pids[1]} sb_pid=${pids[2]}
for p in $hap $sb; do
  for _ in $(seq 1 300); do curl -sk -o /dev/null "https://127.0.0.1:$p/" && break; sleep 0.2; done
  curl -sk -o /dev/null "https://127.0.0.1:$p/" || { echo "nothing answers https on port $p; logs in $work" >&2; exit 1; }
done
ticks() { awk '{ i = match($0, /\) [A-Za-z] /); split(substr($0, i + 2), f, " "); print f[12] + f[13] }' "/proc/$1/stat" 2>/dev/null || echo 0; }
group_ticks() { local t=0 p; for p in $(pgrep -g "$1"); do t=$((t + $(ticks "$p"))); done; echo $t; }
hz=$(getconf CLK_TCK)
run() { # name port pid round
  local t0 t1 out
  t0=$(group_ticks "$3")
  out=$(wrk -t1 -c"$conns" -d"${secs}s" "${header[@]}" "https://127.0.0.1:$2/")
  t1=$(group_ticks "$3")
  awk -v n="$1" -v r="$4" -v cpu=$((t1 - t0)) -v hz="$hz" '
    /requests in/ { req = $1 } /Requests\/sec/ { rps = $2 } /Non-2xx|Socket errors/ { err = err " " $0 }
    END { printf "%s round %s: %.0f req/s, %.1f us CPU/req%s\n", n, r, rps, (req > 0 ? cpu / hz * 1e6 / req : 0), err }' <<<"$out"
}
# warm-up: the JVM compiles the TLS path in the first seconds (its CPU per request halves)
wrk -t1 -c"$conns" -d5s "${header[@]}" "https://127.0.0.1:$hap/" >/dev/null
wrk -t1 -c"$conns" -d"${warm}s" "${header[@]}" "https://127.0.0.1:$sb/" >/dev/null
for r in $(seq 1 "$rounds"); do
  run haproxy "$hap" "$hap_pid" "$r"
  run switchboard "$sb" "$sb_pid" "$r"
done | tee "$work/results.txt"
echo
awk '{ rps[$1] = rps[$1] " " $4; cpu[$1] = cpu[$1] " " $6 }
  function median(s,   a, n, i, j, t) { n = split(s, a, " "); for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
  END { h = median(rps["haproxy"]); hc = median(cpu["haproxy"]); s = median(rps["switchboard"]); sc = median(cpu["switchboard"])
    printf "medians: haproxy %.0f req/s %.1f us/req; switchboard %.0f req/s %.1f us/req; switchboard/haproxy: %.2fx req/s, %.2fx CPU/req\n", h, hc, s, sc, (h > 0 ? s / h : 0), (hc > 0 ? sc / hc : 0) }' \
  "$work/results.txt"
