#!/usr/bin/env bash
# switchboard-tls.sh PORT BACKENDS_CSV — bench/switchboard.sh with TLS terminated on the frontend:
# one HTTPS frontend on 127.0.0.1:PORT over BACKENDS (host:port,...), no demo, no shell.
#   bench/tls.sh                                     # against HAProxy with the same certificate (wrk over https)
#   ../shared/bench/bench.sh ... --custom 'switchboard-tls=bench/switchboard-tls.sh {PORT} {BACKENDS}'
#     (bench.sh itself speaks http:// to every case: until it learns https, use bench/tls.sh)
# env: CERT, KEY (PEM files; default: a throw-away self-signed ECDSA P-256 certificate made in the run's
#      directory)  TLS_ENGINE=jdk (the JDK's engine instead of OpenSSL)  plus those of bench/switchboard.sh
set -eu
port=$1; backends=$2
here=$(cd "$(dirname "$0")/.." && pwd)
jar=${SWITCHBOARD_JAR:-$here/runtime/target/switchboard.jar}
work=$(mktemp -d "${PA_RUN_DIR:-/tmp}/switchboard-tls.XXXXXX")
mkdir -p "$work/conf" "$work/plugins"
cert=${CERT:-}; key=${KEY:-}
if [ -z "$cert" ]; then
  cert=$work/cert.pem; key=$work/key.pem
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
    -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout "$key" -out "$cert" 2>/dev/null
fi
printf 'endpoints = %s\npolicy = round-robin\n' "$backends" >"$work/conf/io.switchboard.cluster-bench.cfg"
printf 'address = 127.0.0.1\nport = %s\ncluster = bench\ntlsCertificate = %s\ntlsKey = %s\n' "$port" "$cert" "$key" \
  >"$work/conf/io.switchboard.frontend-bench.cfg"
printf 'eventLoops = %s\n' "${LOOPS:-1}" >"$work/conf/io.switchboard.transport.cfg"
printf 'minAcceptors = 0\n' >"$work/conf/io.switchboard.spawner.cfg"
engine=
[ "${TLS_ENGINE:-}" = jdk ] && engine=-Dswitchboard.tls.engine=jdk
cd "$work"
# shellcheck disable=SC2086
exec java ${JAVA_OPTS:--XX:+UseParallelGC -Xms256m -Xmx256m} -Dswitchboard.demo=false -Dswitchboard.log.level=WARN $engine \
  -Dgosh.args=--noshutdown -jar "$jar" </dev/null
