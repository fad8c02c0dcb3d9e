#!/bin/bash
# Start-up of a real Spring Boot 3.5 application (spring-boot-app, embedded Tomcat, HTTPS) with and
# without StapleKeeper, with and without an AppCDS archive (Spring Boot's own CDS recipe: extracted
# jar, one training run with -XX:ArchiveClassesAtExit and -Dspring.context.exit=onRefresh). Paired: every round runs every variant once, in turn.
# Measured from launch: the first TLS handshake that carries a good OCSP staple (openssl s_client
# -status in a loop) and Spring Boot's own "process running for" figure (JVM start to the context
# being ready). "disabled" is the agent jar loaded with staplekeeper.enabled=false and the JDK's own
# stapling: the cost of loading the jar alone. Needs a running OCSP responder for the PKI (test-apps: Main responder --pki DIR
# --create).
#
# usage: spring-boot-cds-startup.sh JAVA_HOME AGENT_JAR SPRING_BOOT_JAR PKI_DIR [ROUNDS] [WORK]
set -euo pipefail
JAVA_HOME=$1 AGENT=$(realpath "$2") APP=$(realpath "$3") PKI=$(realpath "$4") ROUNDS=${5:-7}
WORK=${6:-$(mktemp -d /tmp/sb-cds-XXXX)}
JAVA=$JAVA_HOME/bin/java
mkdir -p "$WORK"
cd "$WORK"
rm -rf app && "$JAVA" -Djarmode=tools -jar "$APP" extract --destination app >/dev/null
JAR=$WORK/app/$(basename "$APP")
PORT=${PORT:-18543}
SSL=(--server.port=$PORT --server.ssl.key-store="$PKI/server.p12" --server.ssl.key-store-password=changeit
  --server.ssl.key-store-type=PKCS12 --server.ssl.key-alias=server)
STOCK=(-Djdk.tls.server.enableStatusRequestExtension=true)
WITH_AGENT=(-javaagent:"$AGENT")

opts() { # variant -> JVM options (without the archive)
  case $1 in
    stock*) echo "${STOCK[@]}" ;;
    agent*) echo "${WITH_AGENT[@]}" ;;
    disabled*) echo "${WITH_AGENT[@]} -Dstaplekeeper.enabled=false ${STOCK[@]}" ;;
    other*) echo "-javaagent:$OTHER_AGENT" ;;
  esac
}

# The training run is made without the agent: the JVM refuses to dump an archive while a Java agent
# runs ("Must enable AllowArchivingWithJavaAgent", a diagnostic flag), so that is what an operator
# does; at run time the agent jar is appended to the class path, which keeps the archive usable.
"$JAVA" -XX:ArchiveClassesAtExit="$WORK/app.jsa" -Dspring.context.exit=onRefresh \
  -jar "$JAR" "${SSL[@]}" >"$WORK/train.log" 2>&1 || true
[ -s "$WORK/app.jsa" ] || { echo "no archive, see $WORK/train.log"; exit 1; }

stapled() {
  echo | timeout 3 openssl s_client -connect 127.0.0.1:$PORT -servername localhost -status 2>/dev/null |
    grep -q "Cert Status: good"
}

once() { # variant round
  local v=$1 cds=() log=$WORK/run-$1-$2.log
  case $v in *-cds) cds=(-XX:SharedArchiveFile="$WORK/app.jsa" -Xshare:auto -Xlog:class+load:file="$log.classes") ;; esac
  local t0 t1
  t0=$(date +%s%N)
  # shellcheck disable=SC2046
  "$JAVA" $(opts $v) "${cds[@]}" -jar "$JAR" "${SSL[@]}" >"$log" 2>&1 &
  local pid=$!
  until stapled; do
    sleep 0.01
    if (($(date +%s%N) - t0 > 60000000000)); then echo "$v: no staple in 60 s, see $log"; break; fi
  done
  t1=$(date +%s%N)
  local running
  running=$(grep -o 'process running for [0-9.]*' "$log" | grep -o '[0-9.]*$' || echo NaN)
  kill $pid; wait $pid 2>/dev/null || true
  local shared="-"
  grep -q "Sharing is only supported for boot loader classes" "$log" && shared="CDS-off-warning"
  if [ -f "$log.classes" ]; then # how many application (Spring) classes came from the archive
    shared="app-classes-from-archive=$(grep 'org.springframework' "$log.classes" | grep -c 'shared objects file')/$(grep -c 'org.springframework' "$log.classes")"
  fi
  echo "$v round=$2 first_staple_ms=$(((t1 - t0) / 1000000)) spring_running_s=$running $shared load=$(cut -d' ' -f1 /proc/loadavg)"
}

echo "# $(date -u +%FT%TZ) $("$JAVA" -version 2>&1 | head -1), nproc $(nproc), agent $(stat -c %s "$AGENT") bytes, load $(cut -d' ' -f1-3 /proc/loadavg)"
VARIANTS=(${VARIANTS:-stock agent disabled stock-cds agent-cds disabled-cds})
for ((r = 0; r <= ROUNDS; r++)); do
  for v in "${VARIANTS[@]}"; do
    line=$(once $v $r)
    if ((r == 0)); then echo "# discarded: $line"; else echo "$line"; fi
  done
done | tee "$WORK/runs.txt"

echo
echo "| variant | launch → first stapled handshake, median ms | Spring Boot 'process running for', median s | runs |"
echo "|---|---|---|---|"
median() { sort -n | awk '{x[NR] = $1} END {print (NR % 2) ? x[(NR + 1) / 2] : (x[NR / 2] + x[NR / 2 + 1]) / 2}'; }
for v in "${VARIANTS[@]}"; do
  runs=$(grep "^$v round" "$WORK/runs.txt")
  staple=$(echo "$runs" | sed 's/.*first_staple_ms=\([0-9]*\).*/\1/' | median)
  spring=$(echo "$runs" | sed 's/.*spring_running_s=\([0-9.]*\).*/\1/' | median)
  echo "| $v | $staple | $spring | $(echo "$runs" | grep -c .) |"
done
