#!/usr/bin/env bash
# StapleKeeper outage demo, one command from a fresh clone:
#
#   ./demo.sh                          about 2 minutes
#   ./demo.sh --quick                  about 30 seconds
#   ./demo.sh --server spring-boot     the same on the Spring Boot app (embedded Tomcat)
#
# Builds the agent and the test apps if their jars are missing or older than the sources, then runs
# the test-apps jar's 'demo' command: a test OCSP responder, the same Jetty app twice (one with
# -javaagent:agent/target/staplekeeper-agent.jar, one on the stock JDK), a responder outage (down,
# unauthorized, hang, healthy again) and a second-by-second timeline of which server still staples,
# printed as a table and written as an SVG picture (demo-work/timeline.svg; the path is printed).
# Further options go to the demo command (--server tomcat|jsse-server|spring-boot, --java PATH,
# --help). --server spring-boot also builds the spring-boot-app module's fat jar if needed.
#
# JDK: $JAVA_HOME if set, else /usr/lib/jvm/java-17-openjdk-amd64 if present, else java on the PATH
# (17 or later). Ctrl-C stops the demo and every process it started.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$ROOT"

AGENT_JAR=agent/target/staplekeeper-agent.jar
APPS_JAR=test-apps/target/staplekeeper-test-apps-0.1.0-SNAPSHOT-all.jar
BOOT_JAR=spring-boot-app/target/staplekeeper-spring-boot-app.jar
WORK=demo-work

say() { printf '==> %s\n' "$*"; }
die() { printf 'demo.sh: %s\n' "$*" >&2; exit 1; }

# --- the JDK ---------------------------------------------------------------------------------------
if [[ -n "${JAVA_HOME:-}" ]]; then
  JDK=$JAVA_HOME
elif [[ -x /usr/lib/jvm/java-17-openjdk-amd64/bin/java ]]; then
  JDK=/usr/lib/jvm/java-17-openjdk-amd64
else
  command -v java >/dev/null || die "no java on the PATH; set JAVA_HOME to a JDK 17 or later"
  JDK=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
fi
JAVA=$JDK/bin/java
[[ -x "$JAVA" ]] || die "no java at $JAVA (JAVA_HOME=${JAVA_HOME:-unset})"
version=$("$JAVA" -version 2>&1 | sed -n 's/.*version "\([0-9]*\)[."].*/\1/p' | head -n1)
[[ -n "$version" && "$version" -ge 17 ]] || die "$JAVA is Java ${version:-?}; the demo needs 17 or later"
export JAVA_HOME=$JDK

# --- build if needed -------------------------------------------------------------------------------
# The Spring Boot jar only when the demo is to run on it: --server spring-boot or --server=spring-boot.
modules=agent
boot=
prev=
for arg in "$@"; do
  if [[ "$arg" == --server=spring-boot || ( "$prev" == --server && "$arg" == spring-boot ) ]]; then
    modules=agent,spring-boot-app
    boot=1
  fi
  prev=$arg
done

# older_than_sources JAR SOURCE...: the jar is missing or a source file is newer
older_than_sources() {
  local jar=$1
  shift
  [[ -f "$jar" ]] || return 0
  [[ -n $(find "$@" -newer "$jar" -type f -print -quit) ]]
}

stale() {
  [[ -f "$AGENT_JAR" && -f "$APPS_JAR" ]] || return 0
  local oldest=$AGENT_JAR
  [[ "$APPS_JAR" -ot "$oldest" ]] && oldest=$APPS_JAR
  older_than_sources "$oldest" pom.xml agent/pom.xml test-apps/pom.xml agent/src/main test-apps/src/main \
    && return 0
  [[ -n "$boot" ]] && older_than_sources "$BOOT_JAR" pom.xml spring-boot-app/pom.xml spring-boot-app/src/main
}

if stale; then
  command -v mvn >/dev/null || die "the jars need building and there is no mvn on the PATH (Maven 3.8+)"
  build=(mvn -B -q -DskipTests -pl "$modules" -am package)
  say "building the agent and the test apps: ${build[*]} (JDK $version)"
  start=$SECONDS
  log=$(mktemp "${TMPDIR:-/tmp}/staplekeeper-demo-build.XXXXXX")
  # Offline first (fast, no network); online only if the local repository lacks something.
  if ! "${build[@]}" -o >"$log" 2>&1; then
    say "offline build failed; trying again online"
    "${build[@]}" || { rm -f "$log"; die "the build failed"; }
  fi
  rm -f "$log"
  say "built in $((SECONDS - start)) s"
fi
for jar in "$AGENT_JAR" "$APPS_JAR" ${boot:+"$BOOT_JAR"}; do
  [[ -f "$jar" ]] || die "the build did not produce $jar"
done

# --- run -------------------------------------------------------------------------------------------
rm -rf "$WORK"
color=()
if [[ -t 1 && -z "${NO_COLOR:-}" ]]; then color=(--color); fi

# The driver runs in the background so that this script can forward Ctrl-C / SIGTERM to it (a shell
# does not run its traps while it waits for a foreground command). Its shutdown hook stops the
# servers; the servers also exit on their own when the driver's pipe to them closes.
"$JAVA" -Xmx256m -XX:+UseSerialGC -cp "$APPS_JAR" dev.staplekeeper.testapps.Main demo \
  --agent "$AGENT_JAR" --work "$WORK" ${color[@]+"${color[@]}"} "$@" &
pid=$!
signal=
stop() {
  signal=$1
  trap '' INT TERM
  kill -TERM "$pid" 2>/dev/null || true
}
trap 'stop INT' INT
trap 'stop TERM' TERM

status=0
wait_driver() {
  local s=0
  wait "$pid" || s=$?
  status=$s
}
wait_driver # returns early when a trapped signal arrives; then wait for the driver to finish
while kill -0 "$pid" 2>/dev/null; do wait_driver; done
case "$signal" in
  INT) exit 130 ;;
  TERM) exit 143 ;;
esac
exit "$status"
