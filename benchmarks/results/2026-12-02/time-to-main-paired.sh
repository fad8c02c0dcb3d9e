#!/bin/bash
# paired time-to-main: stock / new agent / old agent, interleaved
TA=/work/wt/startup/test-apps/target/staplekeeper-test-apps-0.1.0-SNAPSHOT-all.jar
NEW=/work/wt/startup/agent/target/staplekeeper-agent.jar
OLD=/tmp/sk/baseline-agent.jar
for J in /usr/lib/jvm/java-17-openjdk-amd64 /usr/lib/jvm/temurin-25-jdk-amd64; do
  for r in 0 1 2 3 4 5; do
    for v in stock new old; do
      case $v in stock) A="";; new) A="-javaagent:$NEW";; old) A="-javaagent:$OLD";; esac
      t0=$(date +%s%N); $J/bin/java $A -cp $TA dev.staplekeeper.testapps.Main >/dev/null 2>&1; t1=$(date +%s%N)
      echo "$(basename $J) $r $v $(( (t1-t0)/1000000 )) $(cut -d' ' -f1-3 /proc/loadavg)"
    done
  done
done
