// Thread CPU of patching StatusResponseManager and SSLContext on a cold JVM (docs/benchmarks.md 4.3).
// BridgeCalls' API is the same before and after ASM was dropped, so one harness measures both:
//   javac -cp CLASSES -d OUT PatchCost.java && java -cp CLASSES:OUT PatchCost
// CLASSES: agent/target/classes of the tree to measure (with ASM's jar added for a tree that used ASM).
import dev.staplekeeper.agent.instrumentation.BridgeCalls;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
public class PatchCost {
  public static void main(String[] a) throws Exception {
    var tb = ManagementFactory.getThreadMXBean();
    byte[] srm, ctx;
    try (InputStream in = Object.class.getModule().getResourceAsStream("sun/security/ssl/StatusResponseManager.class")) { srm = in.readAllBytes(); }
    try (InputStream in = Object.class.getModule().getResourceAsStream("javax/net/ssl/SSLContext.class")) { ctx = in.readAllBytes(); }
    long c0 = tb.getCurrentThreadCpuTime(), t0 = System.nanoTime();
    byte[] r1 = BridgeCalls.statusResponseManagerGet().apply(srm);
    long c1 = tb.getCurrentThreadCpuTime(), t1 = System.nanoTime();
    byte[] r2 = BridgeCalls.sslContextInit().apply(ctx);
    long c2 = tb.getCurrentThreadCpuTime(), t2 = System.nanoTime();
    System.out.printf("srm %d B: %.1f ms cpu %.1f ms wall; ctx %d B: %.1f cpu %.1f wall%n", srm.length, (c1-c0)/1e6, (t1-t0)/1e6, ctx.length, (c2-c1)/1e6, (t2-t1)/1e6);
  }
}
