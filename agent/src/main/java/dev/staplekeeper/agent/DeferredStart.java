package dev.staplekeeper.agent;

import dev.staplekeeper.agent.instrumentation.TransformerGate;
import dev.staplekeeper.agent.log.AgentLog;
import java.util.function.Function;

/**
 * Runs the agent's start-up work (the bridge, patching, the staple service, the store) on a daemon
 * thread of its own, so that premain returns at once and the application's {@code main} starts as
 * it would without the agent.
 *
 * <p>Contract: the {@link TransformerGate} makes a JDK target class that loads meanwhile wait for
 * this work (bounded); whatever happens, the gate is settled as soon as the work ends, so nothing
 * waits for a start that failed. A failure goes to {@code onFailure} and leaves the JDK's own
 * stapling. The work and {@code onFailure} return what says their outcome; it is said as soon as
 * the work ends, then {@code done} runs. In the background what the agent says is kept ({@link
 * AgentLog#holdUntilReleased}) and released to {@code java.util.logging}, in order, when the {@link
 * StartAnnouncement} allows; on attach, where the same work runs on the attaching thread (nothing
 * to gain from a thread there), it goes out at once.
 */
final class DeferredStart {
  static final String THREAD_NAME = "staplekeeper-start";

  /** Work that may throw anything; returns what logs its outcome. */
  @FunctionalInterface
  interface Work {
    Runnable run() throws Exception;
  }

  private DeferredStart() {}

  /**
   * Runs {@code work} on a new thread ({@code inBackground}, at launch) or on the calling thread
   * (on attach, where the application runs already and the attaching tool waits for the start
   * line); {@code done} runs right after the outcome was said, in both cases.
   */
  static void run(
      boolean inBackground,
      TransformerGate gate,
      Work work,
      Function<Throwable, Runnable> onFailure,
      StartAnnouncement announcement,
      Runnable done) {
    Runnable body = new Body(inBackground, gate, work, onFailure, announcement, done);
    if (!inBackground) {
      gate.preparedBy(Thread.currentThread());
      body.run();
      return;
    }
    Thread thread = new Thread(body, THREAD_NAME);
    thread.setDaemon(true);
    gate.preparedBy(thread);
    thread.start();
  }

  /** The start's thread body (a named class: a lambda here would be spun in premain). */
  private static final class Body implements Runnable {
    private final boolean inBackground;
    private final TransformerGate gate;
    private final Work work;
    private final Function<Throwable, Runnable> onFailure;
    private final StartAnnouncement announcement;
    private final Runnable done;

    Body(
        boolean inBackground,
        TransformerGate gate,
        Work work,
        Function<Throwable, Runnable> onFailure,
        StartAnnouncement announcement,
        Runnable done) {
      this.inBackground = inBackground;
      this.gate = gate;
      this.work = work;
      this.onFailure = onFailure;
      this.announcement = announcement;
      this.done = done;
    }

    @Override
    public void run() {
      Runnable outcome;
      try {
        outcome = work.run();
      } catch (Throwable t) {
        outcome = onFailure.apply(t);
      } finally {
        if (!gate.isSettled()) {
          gate.fail();
        }
      }
      try {
        // said now, in order with what the start said before it; in the background AgentLog
        // keeps it until the release below
        outcome.run();
      } finally {
        try {
          done.run();
        } finally {
          releaseWhenAllowed();
        }
      }
    }

    private void releaseWhenAllowed() {
      try {
        if (inBackground) {
          announcement.await();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        AgentLog.release();
      }
    }
  }
}
