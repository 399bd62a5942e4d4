#!/usr/bin/env bash
# switchboard.sh PORT BACKENDS_CSV — starts the exported runtime in the shape ../shared/bench/bench.sh
# expects from a --custom proxy: in the foreground, one frontend on 127.0.0.1:PORT balancing
# round-robin over BACKENDS (host:port,...), no demo, no admin page (its port 8081 is HAProxy's in bench.sh),
# no interactive shell.
#   ../shared/bench/bench.sh -w 20 direct haproxy --custom 'switchboard=bench/switchboard.sh {PORT} {BACKENDS}'
# env: MODE=http|tcp (default http)  SWITCHBOARD_JAR (another build)  JAVA_OPTS (extra JVM flags)  LOOPS (event loops, default 1: like HAProxy's nbthread 1, the other core runs wrk and the back-ends; 0 = one per core)
#      TRANSPORT=auto|epoll|io_uring|nio (default auto = io_uring where it loads, else epoll): the event loops' transport, e.g. two --custom entries
#        'sb-epoll=bench/switchboard.sh {PORT} {BACKENDS}' 'sb-uring=env TRANSPORT=io_uring bench/switchboard.sh {PORT} {BACKENDS}'
#        run epoll and io_uring side by side; the runtime logs the transport it runs on (and why, when it fell back)
#      ACCESSLOG=combined|haproxy|json (default: off) writes the access log in that format into the run's directory
#      H2C=true: the frontend also speaks HTTP/2 with prior knowledge (h2load, curl --http2-prior-knowledge; see bench/h2.sh)
#      AS_USER=true: as a user starts it (README's main command): JVM defaults (no JAVA_OPTS unless given), the
#        transport's and the spawner's defaults (a loop per core, accepting loops as the spawner decides), INFO log
#      DISPATCH=source|cookie:NAME|header:NAME: the dispatcher cluster on (a group of one on 127.0.0.1, JGroups port
#        DISPATCH_PORT, default 7800) and the bench cluster sticky by that key: every request looks up the dispatch table
set -eu
port=$1; backends=$2
here=$(cd "$(dirname "$0")/.." && pwd)
jar=${SWITCHBOARD_JAR:-$here/runtime/target/switchboard.jar}
work=$(mktemp -d "${PA_RUN_DIR:-/tmp}/switchboard.XXXXXX")
mkdir -p "$work/conf" "$work/plugins"
printf 'endpoints = %s\npolicy = round-robin\n' "$backends" >"$work/conf/io.switchboard.cluster-bench.cfg"
if [ -n "${DISPATCH:-}" ]; then
  printf 'dispatch = %s\n' "$DISPATCH" >>"$work/conf/io.switchboard.cluster-bench.cfg"
  printf 'enabled = true\nbindAddress = 127.0.0.1\nbindPort = %s\n' "${DISPATCH_PORT:-7800}" >"$work/conf/io.switchboard.dispatchers.cfg"
fi
printf 'protocol = %s\naddress = 127.0.0.1\nport = %s\ncluster = bench\n' "${MODE:-http}" "$port" >"$work/conf/io.switchboard.frontend-bench.cfg"
if [ -n "${H2C:-}" ]; then
  printf 'h2c = %s\n' "$H2C" >>"$work/conf/io.switchboard.frontend-bench.cfg"
fi
if [ -z "${AS_USER:-}" ]; then
  printf 'eventLoops = %s\ntransport = %s\n' "${LOOPS:-1}" "${TRANSPORT:-auto}" >"$work/conf/io.switchboard.transport.cfg"
elif [ -n "${TRANSPORT:-}" ]; then
  printf 'transport = %s\n' "$TRANSPORT" >"$work/conf/io.switchboard.transport.cfg"
fi
if [ -n "${ACCESSLOG:-}" ]; then
  printf 'enabled = true\nformat = %s\npath = %s/access.log\n' "$ACCESSLOG" "$work" >"$work/conf/io.switchboard.accesslog.cfg"
fi
cd "$work"
if [ -n "${AS_USER:-}" ]; then
  # shellcheck disable=SC2086
  exec java ${JAVA_OPTS:-} -Dswitchboard.demo=false -Dswitchboard.admin=false -Dgosh.args=--noshutdown -jar "$jar" </dev/null
fi
# Every loop accepts, always: the benchmark's connections are opened once and must spread over all loops.
printf 'minAcceptors = 0\n' >"$work/conf/io.switchboard.spawner.cfg"
# shellcheck disable=SC2086
exec java ${JAVA_OPTS:--XX:+UseParallelGC -Xms256m -Xmx256m} -Dswitchboard.demo=false -Dswitchboard.admin=false -Dswitchboard.log.level=WARN \
  -Dgosh.args=--noshutdown -jar "$jar" </dev/null
