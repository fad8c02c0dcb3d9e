package dev.staplekeeper.agent.staple;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A {@link Scheduler} on a {@link FakeClock}: tasks run on the test thread when {@link #advance}
 * moves the clock past their due time, in due order. Days of refresh and backoff take milliseconds.
 */
final class ManualScheduler implements Scheduler {
  private static final class Job {
    final Instant due;
    final long seq;
    final Runnable task;
    boolean cancelled;

    Job(Instant due, long seq, Runnable task) {
      this.due = due;
      this.seq = seq;
      this.task = task;
    }
  }

  private final FakeClock clock;
  private final PriorityQueue<Job> queue =
      new PriorityQueue<>(Comparator.comparing((Job j) -> j.due).thenComparingLong(j -> j.seq));
  private long seq;

  ManualScheduler(FakeClock clock) {
    this.clock = clock;
  }

  @Override
  public synchronized Task schedule(Runnable task, Duration delay) {
    Job job =
        new Job(clock.instant().plus(delay.isNegative() ? Duration.ZERO : delay), seq++, task);
    queue.add(job);
    return () -> job.cancelled = true;
  }

  /** Runs every task due now. */
  void runDue() {
    advance(Duration.ZERO);
  }

  /** Moves the clock forward by {@code d}, running each task at its due time. */
  void advance(Duration d) {
    Instant target = clock.instant().plus(d);
    while (true) {
      Job next;
      synchronized (this) {
        next = queue.peek();
        if (next == null || next.due.isAfter(target)) {
          break;
        }
        queue.poll();
      }
      if (next.cancelled) {
        continue;
      }
      if (next.due.isAfter(clock.instant())) {
        clock.set(next.due);
      }
      next.task.run();
    }
    clock.set(target);
  }

  /** Due times of the pending tasks, soonest first. */
  synchronized List<Instant> pending() {
    List<Instant> out = new ArrayList<>();
    queue.stream()
        .filter(j -> !j.cancelled)
        .sorted(queue.comparator())
        .forEach(j -> out.add(j.due));
    return out;
  }

  @Override
  public synchronized void shutdown() {
    queue.clear();
  }
}
