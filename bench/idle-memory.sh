#!/usr/bin/env bash
# bench/idle-memory.sh [N] — heap + direct memory per idle keep-alive connection.
# Starts the runtime on its embedded default (demo back-ends), measures heap used (after a full GC)
# and Netty's direct memory (NMT "Other") before and after N connections that each made one request
# and then stay idle, and prints the difference per connection. Everything on 127.0.0.1.
set -euo pipefail
n=${1:-10000}
top=$(cd "$(dirname "$0")/.." && pwd)
port=18480
work=$(mktemp -d)
trap 'kill $rt 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/conf" "$work/plugins"
cd "$work"
java -Xms512m -Xmx512m -XX:NativeMemoryTracking=summary -Dswitchboard.demo.port=$port -Dswitchboard.log.level=WARN \
  -Dgosh.args=--noshutdown -jar "$top/runtime/target/switchboard.jar" </dev/null >"$work/runtime.log" 2>&1 &
rt=$!
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.2; done
measure() {
  jcmd $rt GC.run >/dev/null
  sleep 1
  heap=$(jcmd $rt GC.heap_info | awk '/used/ {for (i = 1; i <= NF; i++) if ($i == "used") {v = $(i+1); sub("K,?", "", v); print v; exit}}')
  other=$(jcmd $rt VM.native_memory summary | awk '/- +Other \(/ {for (i = 1; i <= NF; i++) if ($i ~ /committed=/) {v = $i; gsub("[^0-9]", "", v); print v; exit}}')
  rss=$(ps -o rss= -p $rt | tr -d ' ')
  echo "$heap ${other:-0} $rss"
}
for _ in $(seq 1 200); do curl -s -o /dev/null "http://127.0.0.1:$port/"; done   # warm the path first
read -r heap0 other0 rss0 < <(measure)
mkfifo "$work/hold"
java "$top/bench/IdleClients.java" $port "$n" <"$work/hold" >"$work/clients.out" &
clients=$!
exec 3>"$work/hold"
for _ in $(seq 1 600); do grep -q ready "$work/clients.out" 2>/dev/null && break; sleep 0.5; done
read -r heap1 other1 rss1 < <(measure)
exec 3>&-
wait $clients || true
echo "connections: $n"
echo "heap used:     ${heap0} KiB -> ${heap1} KiB"
echo "direct (NMT Other): ${other0} KiB -> ${other1} KiB"
echo "process RSS:   ${rss0} KiB -> ${rss1} KiB (heap is pre-committed: -Xms = -Xmx)"
awk -v h0="$heap0" -v h1="$heap1" -v o0="$other0" -v o1="$other1" -v n="$n" \
  -v r0="$rss0" -v r1="$rss1" \
  'BEGIN { printf "per idle keep-alive connection: heap %.1f KiB + direct %.1f KiB = %.1f KiB (RSS grew %.1f KiB per connection)\n", (h1-h0)/n, (o1-o0)/n, (h1-h0+o1-o0)/n, (r1-r0)/n }'
