package dev.staplekeeper.agent;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import javax.net.ssl.KeyManager;

/**
 * What the bridge talks to while the staple service is still being built, so that the patched JDK
 * classes can be let through (and the application's {@code SSLContext}s made) before the service
 * and the store are ready.
 *
 * <p>Contract:
 *
 * <ul>
 *   <li>A handshake before {@link #ready} waits for it, at most {@code maxWait} (the agent's start
 *       allowance, not the cold wait for a responder): the first handshake after a restart thus
 *       still finds the stored responses. If the service is still not there, or the start {@link
 *       #failed}, the handshake gets null: the JDK's own code.
 *   <li>A context initialised before {@link #ready} is kept and scanned on the thread that calls
 *       {@link #ready}, before any waiting handshake is let go: its certificates (and their stored
 *       responses) are then known to the service when the first handshake asks, instead of racing
 *       it.
 *   <li>After {@link #ready}, both go straight through.
 * </ul>
 */
final class StartingService {
  private final long maxWaitNanos;
  private final CountDownLatch settled = new CountDownLatch(1);
  private final List<KeyManager[]> early = new ArrayList<>();
  private volatile BiFunction<String, X509Certificate[], Map<X509Certificate, byte[]>> responses;
  private Consumer<KeyManager[]> prefetch; // guarded by early

  StartingService(long maxWait, TimeUnit unit) {
    this.maxWaitNanos = unit.toNanos(maxWait);
  }

  /** The bridge's response delegate. */
  Map<X509Certificate, byte[]> responses(String type, X509Certificate[] chain) {
    BiFunction<String, X509Certificate[], Map<X509Certificate, byte[]>> r = responses;
    if (r == null) {
      try {
        settled.await(maxWaitNanos, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
      r = responses;
      if (r == null) {
        return null;
      }
    }
    return r.apply(type, chain);
  }

  /** A context was initialised with {@code keyManagers}: prefetch now or once ready. */
  void contextInitialized(KeyManager[] keyManagers) {
    Consumer<KeyManager[]> p;
    synchronized (early) {
      p = prefetch;
      if (p == null) {
        early.add(keyManagers);
        return;
      }
    }
    p.accept(keyManagers);
  }

  /**
   * The service is built and its stored responses are loaded: {@code scanNow} runs here for each
   * context that came before, then {@code prefetch} takes the later ones.
   */
  void ready(
      BiFunction<String, X509Certificate[], Map<X509Certificate, byte[]>> responses,
      Consumer<KeyManager[]> scanNow,
      Consumer<KeyManager[]> prefetch) {
    List<KeyManager[]> before;
    synchronized (early) {
      before = new ArrayList<>(early);
      early.clear();
      this.prefetch = prefetch;
    }
    for (KeyManager[] keyManagers : before) {
      try {
        scanNow.accept(keyManagers);
      } catch (RuntimeException e) {
        // a prefetch is an optimisation: the handshake fetches what it does not find
      }
    }
    this.responses = responses;
    settled.countDown();
  }

  /** The service will not come: handshakes stop waiting and get the JDK's own code. */
  void failed() {
    synchronized (early) {
      early.clear();
      this.prefetch = keyManagers -> {};
    }
    settled.countDown();
  }
}
