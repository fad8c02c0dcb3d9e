package dev.staplekeeper.agent.instrumentation;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.IllegalClassFormatException;
import java.security.ProtectionDomain;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The one transformer StapleKeeper registers, from premain, so that the agent's real work (the
 * bridge, patching, the staple service) can start on a background thread while the application
 * starts.
 *
 * <p>Contract:
 *
 * <ul>
 *   <li>Classes other than the given targets pass at the cost of one set lookup: nothing waits and
 *       nothing is parsed.
 *   <li>A target that loads (or is retransformed) before the agent is {@linkplain #open ready}
 *       waits for it, at most {@code maxWait}; it is then handed to the delegate set by {@link
 *       #open}. After {@code maxWait}, or when the agent failed ({@link #fail}), it loads as the
 *       JDK ships it (and is patched later by retransformation if the agent becomes ready).
 *   <li>The thread that prepares the agent never waits for itself.
 * </ul>
 */
public final class TransformerGate implements ClassFileTransformer {
  private final Set<String> targets;
  private final long maxWaitNanos;
  private final CountDownLatch ready = new CountDownLatch(1);
  private volatile ClassFileTransformer delegate;
  private volatile Thread preparer;

  /** {@code internalNames}: targets in JVM form ({@code javax/net/ssl/SSLContext}). */
  public TransformerGate(Set<String> internalNames, long maxWait, TimeUnit unit) {
    this.targets = Set.copyOf(internalNames);
    this.maxWaitNanos = unit.toNanos(maxWait);
  }

  /** The thread that will call {@link #open} or {@link #fail}; it never waits at the gate. */
  public void preparedBy(Thread thread) {
    preparer = thread;
  }

  /** The agent is ready: targets go to {@code transformer} from now on. */
  public void open(ClassFileTransformer transformer) {
    delegate = transformer;
    ready.countDown();
  }

  /** The agent will not become ready (or stops): targets load unchanged from now on. */
  public void fail() {
    delegate = null;
    ready.countDown();
  }

  /** Waits (bounded) until the agent is ready; true if it {@linkplain #open opened}. */
  private boolean awaitOpen() {
    if (ready.getCount() != 0 && Thread.currentThread() != preparer) {
      try {
        ready.await(maxWaitNanos, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return delegate != null;
  }

  /** True once {@link #open} or {@link #fail} was called. */
  public boolean isSettled() {
    return ready.getCount() == 0;
  }

  @Override
  public byte[] transform(
      Module module,
      ClassLoader loader,
      String className,
      Class<?> classBeingRedefined,
      ProtectionDomain protectionDomain,
      byte[] classfileBuffer)
      throws IllegalClassFormatException {
    if (className == null || loader != null || !targets.contains(className)) {
      return null;
    }
    if (!awaitOpen()) {
      return null;
    }
    ClassFileTransformer d = delegate;
    return d == null
        ? null
        : d.transform(
            module, loader, className, classBeingRedefined, protectionDomain, classfileBuffer);
  }
}
