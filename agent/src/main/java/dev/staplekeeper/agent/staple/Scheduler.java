package dev.staplekeeper.agent.staple;

import java.time.Duration;

/**
 * Runs StapleKeeper's background work: fetches, refreshes and retries. Production code uses {@link
 * ExecutorScheduler}; tests use a scheduler driven by a fake clock, so days of refresh and backoff
 * run in milliseconds.
 */
public interface Scheduler {
  /** A scheduled task that can be cancelled. */
  interface Task {
    void cancel();
  }

  /** Runs {@code task} once after {@code delay} (zero or negative: as soon as possible). */
  Task schedule(Runnable task, Duration delay);

  /** Stops accepting work; running fetches are interrupted. */
  void shutdown();
}
