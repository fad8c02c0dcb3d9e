#!/bin/bash
# Heap held per certificate by the agent: ManySniServer with N=1 and N=2000 certificates, with and
# without the agent; jcmd GC.class_histogram (full GC first) total after every certificate is fetched.
# usage: benchmarks/scripts/heap-per-certificate.sh JAVA_HOME TESTAPPS_ALL_JAR AGENT_JAR WORKDIR
set -euo pipefail
JDK=$1; JAR=$2; AGENT=$3; W=$4
mkdir -p "$W"; rm -rf "$W/pki"
"$JDK/bin/java" -jar "$JAR" responder --pki "$W/pki" --port 0 --create --validity 1h > "$W/responder.out" 2> "$W/responder.err" &
RPID=$!
trap 'kill $RPID 2>/dev/null || true' EXIT
for i in $(seq 100); do grep -q READY "$W/responder.out" && break; sleep 0.2; done
CTL=$(sed -n 's/.*control=\([0-9]*\).*/\1/p' "$W/responder.out" | head -1)
count() { curl -s "http://127.0.0.1:$CTL/count" | tr -dc 0-9; }
for N in 1 2000; do
  for MODE in agent none; do
    ARGS=(); [ $MODE = agent ] && ARGS=(-javaagent:$AGENT)
    before=$(count)
    "$JDK/bin/java" -Xmx512m "${ARGS[@]}" -cp "$JAR" dev.staplekeeper.testapps.server.ManySniServer "$W/pki" $N 0 > "$W/server-$MODE-$N.log" 2>&1 &
    SPID=$!
    for i in $(seq 600); do grep -q READY "$W/server-$MODE-$N.log" && break; sleep 0.2; done
    if [ $MODE = agent ]; then
      for i in $(seq 1200); do [ $(( $(count) - before )) -ge $N ] && break; sleep 0.1; done
    fi
    sleep 2
    total=$("$JDK/bin/jcmd" $SPID GC.class_histogram | tee "$W/histo-$MODE-$N.txt" | awk '/^Total/ {print $3}')
    agentb=$(awk '$4 ~ /^dev\.staplekeeper\.agent\./ {s+=$3} END {print s+0}' "$W/histo-$MODE-$N.txt")
    echo "N=$N mode=$MODE heap_total=$total agent_classes=$agentb fetched=$(( $(count) - before ))"
    kill $SPID; wait $SPID 2>/dev/null || true
  done
done
