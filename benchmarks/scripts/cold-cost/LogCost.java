// Thread CPU of the first held log lines and of their release to java.util.logging on a cold JVM
// (docs/benchmarks.md 4.3):
//   javac -cp agent/target/classes -d OUT LogCost.java && java -cp agent/target/classes:OUT dev.staplekeeper.agent.log.LogCost
package dev.staplekeeper.agent.log;
import java.lang.management.ManagementFactory;
public class LogCost {
  static long c() { return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime(); }
  public static void main(String[] a) throws Exception {
    java.util.function.Supplier<String> warmLambdas = () -> "x"; warmLambdas.get();
    java.util.List.of(1,2).stream().filter(x -> x > 1).findFirst();
    c();
    AgentLog log = AgentLog.get(LogCost.class);
    AgentLog.holdUntilReleased();
    long t0 = c();
    log.info("StapleKeeper first {} line", "x");
    long t1 = c();
    log.info("StapleKeeper second {} line", "y");
    long t2 = c();
    AgentLog.release();
    long t3 = c();
    System.out.printf("first held line %.1f ms, second %.1f ms, release (JUL set-up, 2 lines) %.1f ms CPU%n", (t1-t0)/1e6, (t2-t1)/1e6, (t3-t2)/1e6);
  }
}
