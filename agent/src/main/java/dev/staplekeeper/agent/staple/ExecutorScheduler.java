package dev.staplekeeper.agent.staple;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The production {@link Scheduler}: a small pool of daemon threads named {@code <name>-N} (e.g.
 * {@code staplekeeper-fetch-1}), so it never keeps a JVM alive and its threads are easy to spot in
 * a dump. Every fetch is bounded by the fetch timeout, so a few threads serve many certificates.
 */
public final class ExecutorScheduler implements Scheduler {
  private final ScheduledThreadPoolExecutor executor;

  /** {@code threads} daemon threads named {@code name-1}, {@code name-2}, ... */
  public ExecutorScheduler(String name, int threads) {
    AtomicInteger n = new AtomicInteger();
    ThreadFactory factory =
        r -> {
          Thread t = new Thread(r, name + "-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        };
    executor = new ScheduledThreadPoolExecutor(threads, factory);
    executor.setRemoveOnCancelPolicy(true);
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
  }

  @Override
  public Task schedule(Runnable task, Duration delay) {
    ScheduledFuture<?> f =
        executor.schedule(task, Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
    return () -> f.cancel(false);
  }

  @Override
  public void shutdown() {
    executor.shutdownNow();
  }
}
