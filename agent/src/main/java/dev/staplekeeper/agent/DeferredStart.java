package dev.staplekeeper.agent;

import dev.staplekeeper.agent.instrumentation.TransformerGate;
import java.util.function.Consumer;

/**
 * Runs the agent's start-up work (Byte Buddy, Bouncy Castle, Caffeine, the staple service, the
 * store) on a daemon thread of its own, so that premain returns at once and the application's
 * {@code main} starts as it would without the agent.
 *
 * <p>Contract: the {@link TransformerGate} makes a JDK target class that loads meanwhile wait for
 * this work (bounded); whatever happens, the gate is settled when the thread ends, so nothing waits
 * for a start that failed. A failure goes to {@code onFailure} and leaves the JDK's own stapling.
 */
final class DeferredStart {
  static final String THREAD_NAME = "staplekeeper-start";

  /** Work that may throw anything. */
  @FunctionalInterface
  interface Work {
    void run() throws Exception;
  }

  private DeferredStart() {}

  static Thread begin(TransformerGate gate, Work work, Consumer<Throwable> onFailure) {
    Thread thread =
        new Thread(
            () -> {
              try {
                work.run();
              } catch (Throwable t) {
                onFailure.accept(t);
              } finally {
                if (!gate.isSettled()) {
                  gate.fail();
                }
              }
            },
            THREAD_NAME);
    thread.setDaemon(true);
    gate.preparedBy(thread);
    thread.start();
    return thread;
  }
}
