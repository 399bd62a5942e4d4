#!/usr/bin/env bash
# bench/run.sh — Switchboard against HAProxy and NGINX, side by side, in one run.
#
# Builds on ../shared/bench/bench.sh (real nginx back-ends on 127.0.0.1, wrk, interleaved rounds,
# the proxy's own CPU per request) and adds the ratios to HAProxy that the project's targets use.
#   bench/run.sh                 # HTTP keep-alive, small responses, c=64 and 256
#   bench/run.sh --tcp           # L4: switchboard-tcp against haproxy-tcp and nginx-tcp
#   bench/run.sh --epoll         # adds Switchboard on epoll (TRANSPORT=epoll: splice in the TCP relay) beside the default (with --tcp too)
#   bench/run.sh --uring         # adds Switchboard on io_uring by name (TRANSPORT=io_uring; the default, auto, is io_uring where it loads)
#   bench/run.sh -p /1m -c 16    # 1 MiB responses (compare MiB/s with direct)
#   bench/run.sh --conn-rate     # one request per connection (-H 'Connection: close', c=64, 3 rounds)
#   bench/run.sh --pin-lb        # keep-alive c=64, the proxy alone on one core, wrk and back-ends on the other (5 rounds)
#   bench/run.sh --as-user       # keep-alive, and beside the tuned case a case "switchboard-user": the README's
#                                #   main command as a user starts it (java -jar, JVM defaults, a loop per core)
#   bench/run.sh --table         # the issue's table, one case after the other: keep-alive with --as-user,
#                                #   --conn-rate, --pin-lb, 1 MiB, --tcp (long: about an hour)
# The modes combine (e.g. --conn-rate --as-user). Extra arguments go to bench.sh (-r rounds, -d seconds,
# -w warm-up, -c "conns", -p path) and come after the mode's, so they win.
# Needs: apt-get install -y wrk nginx-light haproxy curl (and libnginx-mod-stream for --tcp); the runtime built (mvn -q -DskipTests package).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
bench=${SWITCHBOARD_BENCH:-$top/../shared/bench/bench.sh}
[ -x "$bench" ] || { echo "bench.sh not found at $bench (set SWITCHBOARD_BENCH)" >&2; exit 2; }
[ -f "$top/runtime/target/switchboard.jar" ] || { echo "build first: mvn -q -DskipTests package" >&2; exit 2; }

if [ "${1:-}" = "--table" ]; then
  shift
  "$0" --as-user -r 5 "$@"
  "$0" --conn-rate --as-user "$@"
  "$0" --pin-lb "$@"
  "$0" -p /1m -c 16 "$@"
  "$0" --tcp -r 5 "$@"
  exit 0
fi

tcp=
as_user=
uring=
epoll=
mode=()
while [ $# -gt 0 ]; do
  case "$1" in
    --tcp) tcp=true ;;
    --conn-rate) mode+=(-H 'Connection: close' -c 64 -r 3) ;;
    --pin-lb) mode+=(--pin lb -c 64 -r 5) ;;
    --as-user) as_user=true ;;
    --uring) uring=true ;;
    --epoll) epoll=true ;;
    *) break ;;
  esac
  shift
done
if [ -n "$tcp" ]; then
  cases=(direct haproxy-tcp nginx-tcp)
  name=switchboard-tcp
  env=(env MODE=tcp)
  ref=haproxy-tcp
else
  cases=(direct haproxy nginx)
  name=switchboard
  env=(env)
  ref=haproxy
fi
custom=(--custom "$name=${env[*]} $here/switchboard.sh {PORT} {BACKENDS}")
if [ -n "$as_user" ]; then
  # As a user starts it: no JVM flags, the default loops (one per core), the spawner's defaults.
  custom+=(--custom "$name-user=${env[*]} AS_USER=true $here/switchboard.sh {PORT} {BACKENDS}")
fi
if [ -n "$uring" ]; then
  if [ "$ref" = haproxy-tcp ]; then
    custom+=(--custom "switchboard-tcp-uring=env MODE=tcp TRANSPORT=io_uring $here/switchboard.sh {PORT} {BACKENDS}")
  else
    custom+=(--custom "switchboard-uring=env TRANSPORT=io_uring $here/switchboard.sh {PORT} {BACKENDS}")
  fi
fi
if [ -n "$epoll" ]; then
  if [ "$ref" = haproxy-tcp ]; then
    custom+=(--custom "switchboard-tcp-epoll=env MODE=tcp TRANSPORT=epoll $here/switchboard.sh {PORT} {BACKENDS}")
  else
    custom+=(--custom "switchboard-epoll=env TRANSPORT=epoll $here/switchboard.sh {PORT} {BACKENDS}")
  fi
fi
out=${TMPDIR:-/tmp}/switchboard-bench/run-$(date +%Y%m%d-%H%M%S)
"$bench" -w 20 -r 3 -d 10 -o "$out" "${mode[@]}" "$@" "${cases[@]}" "${custom[@]}"

# Ratios to the reference (HAProxy): throughput, CPU per request, p99.
echo
echo "against $ref (same run, same connection count):"
awk -v ref="$ref" '
  $1 == "case" { next }
  NF >= 12 && $2 ~ /^[0-9]+$/ {
    c = $1; n = $2; rps[c, n] = $3; p99[c, n] = $7; cpu[c, n] = $(NF-3); conns[n] = 1; names[c] = 1
  }
  END {
    printf "%-16s %6s %10s %10s %10s\n", "case", "conns", "req/s x", "cpu/req x", "p99 x"
    for (n in conns) for (c in names) if (c != "direct" && (ref, n) in rps && (c, n) in rps && rps[ref, n] > 0 && cpu[ref, n] > 0 && p99[ref, n] > 0)
      printf "%-16s %6s %10.2f %10.2f %10.2f\n", c, n, rps[c, n] / rps[ref, n], cpu[c, n] / cpu[ref, n], p99[c, n] / p99[ref, n]
  }' "$out/summary.txt"
