package dev.staplekeeper.agent;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * When a start that ran in the background may write what it said (the {@code active on Java ...}
 * line, or why StapleKeeper is not active, and the lines before and after it) to {@code
 * java.util.logging}, so that the application's own logging set-up does not swallow it and the
 * logging does not slow the server's first handshakes.
 *
 * <p>Why wait for a TLS context: the start thread finishes while the application's {@code main}
 * runs, and frameworks drop every log record during their logging set-up (Spring Boot's Logback
 * system denies all records between {@code beforeInitialize} and {@code initialize}, after it has
 * moved java.util.logging to SLF4J). A start line logged in that window never reaches the log;
 * under load that window and the end of the start overlap.
 *
 * <p>Why wait a little longer: on a cold JVM the first lines cost tens of milliseconds of CPU
 * (java.util.logging's set-up, the first date formatting), and right after the first {@code
 * SSLContext} the server opens its port and makes its first handshakes while the agent fetches the
 * first OCSP response; on two cores logging then delayed the first stapled handshake by about 90 ms
 * (docs/benchmarks.md, section 4.3).
 *
 * <p>Contract: {@link #await} returns {@code afterContext} after the application first initialised
 * an {@code SSLContext} ({@link #tlsContextInitialized}, called from the {@code SSLContext.init}
 * hook: by then a framework has set up its logging, which it does first thing), or at the latest
 * {@code latest} after the agent was loaded, for applications that initialise none. It is not used
 * on attach, where the application runs already and the attaching tool waits for the line.
 */
final class StartAnnouncement {
  private final CountDownLatch tlsContext = new CountDownLatch(1);
  private final long deadlineNanos;
  private final long afterContextNanos;
  private volatile long contextNanos;

  /** {@code loadedNanos}: {@link System#nanoTime} when the agent was loaded. */
  StartAnnouncement(long loadedNanos, long latest, long afterContext, TimeUnit unit) {
    this.deadlineNanos = loadedNanos + unit.toNanos(latest);
    this.afterContextNanos = unit.toNanos(afterContext);
  }

  /** The application initialised an {@code SSLContext}. */
  void tlsContextInitialized() {
    if (tlsContext.getCount() != 0) {
      synchronized (tlsContext) {
        if (tlsContext.getCount() != 0) {
          contextNanos = System.nanoTime();
          tlsContext.countDown();
        }
      }
    }
  }

  /** Waits until what the start said may be logged (see the class contract). */
  void await() throws InterruptedException {
    long left = deadlineNanos - System.nanoTime();
    if (left > 0 && tlsContext.await(left, TimeUnit.NANOSECONDS)) {
      long pause = contextNanos + afterContextNanos - System.nanoTime();
      if (pause > 0) {
        TimeUnit.NANOSECONDS.sleep(pause);
      }
    }
  }
}
