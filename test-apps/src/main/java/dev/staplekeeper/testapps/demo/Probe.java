package dev.staplekeeper.testapps.demo;

import dev.staplekeeper.testapps.checker.StapleChecker;
import dev.staplekeeper.testapps.pki.TestPki;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The demo's TLS client for one server: one full handshake (fresh SSLContext, no resumption) each
 * time it is triggered, on its own thread, so a server whose handshakes hang does not hold up the
 * other. A trigger while the previous handshake is still running is skipped: a slow server gets
 * fewer handshakes, as it would with a client that waits for it.
 */
final class Probe implements AutoCloseable {
  private final int port;
  private final TestPki pki;
  private final ExecutorService executor;
  private final List<Sample> samples = new ArrayList<>();
  private final List<Sample> undrained = new ArrayList<>();
  private long busySince = -1; // nanoTime, guarded by this

  Probe(String name, int port, TestPki pki) {
    this.port = port;
    this.pki = pki;
    this.executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "demo-probe-" + name);
              t.setDaemon(true);
              return t;
            });
  }

  /** Starts a handshake unless one is running; returns whether one was started. */
  synchronized boolean trigger(int tick, int phase) {
    if (busySince >= 0 || executor.isShutdown()) {
      return false;
    }
    long t0 = System.nanoTime();
    busySince = t0;
    executor.execute(() -> record(handshake(tick, phase, t0)));
    return true;
  }

  private Sample handshake(int tick, int phase, long t0) {
    try {
      return Sample.of(tick, phase, StapleChecker.check("127.0.0.1", port, null, pki));
    } catch (IOException | RuntimeException e) {
      return Sample.failure(tick, phase, (System.nanoTime() - t0) / 1_000_000, e);
    }
  }

  private synchronized void record(Sample s) {
    samples.add(s);
    undrained.add(s);
    busySince = -1;
  }

  /** The handshakes finished since the last call. */
  synchronized List<Sample> drain() {
    List<Sample> done = List.copyOf(undrained);
    undrained.clear();
    return done;
  }

  /** Milliseconds the running handshake has taken so far, or -1 if none is running. */
  synchronized long busyMillis() {
    return busySince < 0 ? -1 : (System.nanoTime() - busySince) / 1_000_000;
  }

  /** Every finished handshake, in order. */
  synchronized List<Sample> samples() {
    return List.copyOf(samples);
  }

  @Override
  public void close() {
    executor.shutdownNow();
    try {
      executor.awaitTermination(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
