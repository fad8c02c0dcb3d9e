package dev.staplekeeper.agent;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * When a start that ran in the background may log its outcome (the {@code active on Java ...} line,
 * or why StapleKeeper is not active), so that the application's own logging set-up does not swallow
 * it.
 *
 * <p>Why: the start thread finishes while the application's {@code main} runs, and frameworks drop
 * every log record during their logging set-up (Spring Boot's Logback system denies all records
 * between {@code beforeInitialize} and {@code initialize}, after it has moved java.util.logging to
 * SLF4J). A start line logged in that window never reaches the log; under load that window and the
 * end of the start overlap.
 *
 * <p>Contract: {@link #await} returns once the application has initialised an {@code SSLContext}
 * ({@link #tlsContextInitialized}, called from the {@code SSLContext.init} hook: by then a
 * framework has set up its logging, which it does first thing), or at the latest {@code latest}
 * after the agent was loaded, for applications that initialise none. It never waits on attach,
 * where the application runs already and the attaching tool waits for the line.
 */
final class StartAnnouncement {
  private final CountDownLatch tlsContext = new CountDownLatch(1);
  private final long deadlineNanos;

  /** {@code loadedNanos}: {@link System#nanoTime} when the agent was loaded. */
  StartAnnouncement(long loadedNanos, long latest, TimeUnit unit) {
    this.deadlineNanos = loadedNanos + unit.toNanos(latest);
  }

  /** The application initialised an {@code SSLContext}. */
  void tlsContextInitialized() {
    tlsContext.countDown();
  }

  /** Waits until the outcome may be logged (see the class contract). */
  void await() throws InterruptedException {
    long left = deadlineNanos - System.nanoTime();
    if (left > 0) {
      tlsContext.await(left, TimeUnit.NANOSECONDS);
    }
  }
}
