#!/usr/bin/env bash
# Workload benchmarks with the real jar, real redis-server and wrk, on loopback (docs/benchmarks.md):
#   1. URLs resolved per second by 1 and by 3 resolvers against the link farm at 20 ms per hop;
#   2. tracker ingest (posts/s) against redis-benchmark's single-client RPUSH rate (baseline);
#   3. frontend requests/s for the top 30 (GET /) against its /health (baseline: no Redis).
# Usage: workload/bench/workload-bench.sh   (after: mvn -B -q -pl workload -am package -DskipTests)
#        SECTIONS='tracker frontend' workload/bench/workload-bench.sh   runs only some parts
set -euo pipefail

JAR=${JAR:-$(dirname "$0")/../target/workload.jar}
SECTIONS=${SECTIONS:-resolvers tracker frontend}
MEASURE=${MEASURE:-15}            # seconds of steady state per resolver configuration
HOP=${HOP:-20ms}
WORK=$(mktemp -d)
PIDS=()

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

INBOX=$(free_port); HOTLIST=$(free_port); FARM=$(free_port)
redis-server --bind 127.0.0.1 --port "$INBOX" --save '' --appendonly no --dir "$WORK" >"$WORK/inbox.log" 2>&1 & PIDS+=($!)
redis-server --bind 127.0.0.1 --port "$HOTLIST" --save '' --appendonly yes --dir "$WORK" --appendfilename hot.aof \
  --appenddirname hotaof >"$WORK/hotlist.log" 2>&1 & PIDS+=($!)
sleep 0.5

export INBOX_REDIS=127.0.0.1:$INBOX HOTLIST_REDIS=127.0.0.1:$HOTLIST THUX_LOG_LEVEL=WARN
# A near-uniform world of many links: almost every URL is a cache miss, so resolving is redirect I/O.
export SYNTHETIC_SEED=1 SYNTHETIC_LINKS=50000 SYNTHETIC_ZIPF_EXPONENT=0.1 SYNTHETIC_RATE=0
PORT=$FARM LINKFARM_HOP_LATENCY=$HOP java -jar "$JAR" linkfarm >"$WORK/farm.log" 2>&1 & PIDS+=($!)

wait_http() { for _ in $(seq 100); do curl -fs "http://127.0.0.1:$1${2:-/health}" >/dev/null && return 0; sleep 0.2; done; echo "port $1 not up" >&2; exit 1; }
metric() { curl -fs "http://127.0.0.1:$1/metrics" | awk -v m="$2" '$1==m {print $2}'; }
wait_http "$FARM"

fill_inbox() { # $1 posts
  redis-cli -p "$INBOX" flushall >/dev/null; redis-cli -p "$HOTLIST" flushall >/dev/null
  local port; port=$(free_port)
  PORT=$port SYNTHETIC_POSTS=$1 java -jar "$JAR" tracker >"$WORK/tracker.log" 2>&1 & local pid=$!
  wait_http "$port"
  until [ "$(metric "$port" tracker_processed_tweets_total)" = "$1.0" ]; do sleep 0.2; done
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

resolvers_rate() { # $1 instances → URLs/s in steady state
  fill_inbox 2500
  local pids=() ports=()
  for i in $(seq 0 $(($1 - 1))); do
    local port; port=$(free_port); ports+=("$port")
    PORT=$port INSTANCE_INDEX=$i RESOLVER_HTTP_PROXY=127.0.0.1:$FARM java -jar "$JAR" resolver >"$WORK/resolver$i.log" 2>&1 &
    pids+=($!)
  done
  for port in "${ports[@]}"; do wait_http "$port"; done
  sleep 3 # JIT warm-up
  local before after
  before=$(redis-cli -p "$INBOX" llen incoming_urls)
  sleep "$MEASURE"
  after=$(redis-cli -p "$INBOX" llen incoming_urls)
  for pid in "${pids[@]}"; do kill "$pid"; done; wait "${pids[@]}" 2>/dev/null || true
  if [ "$after" -eq 0 ]; then echo "inbox drained during the measurement: add posts" >&2; exit 1; fi
  python3 -c "print(round(($before - $after) / $MEASURE, 1))"
}

if [[ $SECTIONS == *resolvers* ]]; then
echo "== resolvers against the link farm at $HOP per hop ($MEASURE s each)"
one=$(resolvers_rate 1); three=$(resolvers_rate 3)
echo "1 resolver:  $one URLs/s"
echo "3 resolvers: $three URLs/s"
python3 -c "print('ratio 3/1: %.2f' % ($three / $one))"

fi

if [[ $SECTIONS == *tracker* ]]; then
echo "== tracker ingest"
redis-cli -p "$INBOX" flushall >/dev/null
baseline=$(redis-benchmark -p "$INBOX" -c 1 -n 50000 -t rpush -q | tr '\r' '\n' | awk '/requests per second/ {print $2}' | tail -1)
export SYNTHETIC_LINKS=1000 SYNTHETIC_ZIPF_EXPONENT=1.1
port=$(free_port)
start=$(date +%s.%N)
PORT=$port SYNTHETIC_POSTS=50000 java -jar "$JAR" tracker >"$WORK/tracker.log" 2>&1 & pid=$!
wait_http "$port"
t0=$(date +%s.%N); n0=$(metric "$port" tracker_processed_tweets_total)
sleep 5
t1=$(date +%s.%N); n1=$(metric "$port" tracker_processed_tweets_total)
kill "$pid"; wait "$pid" 2>/dev/null || true
tracker=$(python3 -c "print(round(($n1 - $n0) / ($t1 - $t0)))")
echo "redis-benchmark RPUSH, 1 client: $baseline requests/s (baseline)"
echo "tracker: $tracker posts/s (one RPUSH per post)"
python3 -c "print('ratio tracker/RPUSH: %.2f' % ($tracker / $baseline))"

fi

if [[ $SECTIONS == *frontend* ]]; then
echo "== frontend top 30"
redis-cli -p "$INBOX" flushall >/dev/null; redis-cli -p "$HOTLIST" flushall >/dev/null
# Fill the hotlist with a real resolver run over the default world (~800 distinct final URLs).
SYNTHETIC_POSTS=5000 PORT=$(free_port) java -jar "$JAR" tracker >"$WORK/tracker.log" 2>&1 & tpid=$!
rport=$(free_port)
PORT=$rport RESOLVER_HTTP_PROXY=127.0.0.1:$FARM java -jar "$JAR" resolver >"$WORK/resolver.log" 2>&1 & rpid=$!
sleep 5
until [ "$(redis-cli -p "$INBOX" llen incoming_urls)" = 0 ] && [ "$(metric "$rport" resolver_urls_resolved_total)" != "" ]; do sleep 1; done
kill "$tpid" "$rpid"; wait "$tpid" "$rpid" 2>/dev/null || true
echo "hotlist size: $(redis-cli -p "$HOTLIST" zcard url_hotlist)"
fport=$(free_port)
PORT=$fport FRONTEND_THREADS=8 java -jar "$JAR" frontend >"$WORK/frontend.log" 2>&1 & PIDS+=($!)
wait_http "$fport"
wrk -t2 -c16 -d3s "http://127.0.0.1:$fport/" >/dev/null # warm-up
health=$(wrk -t2 -c16 -d10s "http://127.0.0.1:$fport/health" | awk '/Requests\/sec/ {print $2}')
top=$(wrk -t2 -c16 -d10s "http://127.0.0.1:$fport/" | awk '/Requests\/sec/ {print $2}')
echo "GET /health: $health requests/s (baseline)"
echo "GET / (top 30): $top requests/s"
python3 -c "print('ratio top30/health: %.2f' % ($top / $health))"
fi
