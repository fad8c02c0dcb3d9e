package dev.staplekeeper.bench;

import dev.staplekeeper.bench.harness.Args;
import dev.staplekeeper.bench.harness.JsseServers;
import dev.staplekeeper.bench.harness.Machine;
import dev.staplekeeper.bench.harness.Stats;
import dev.staplekeeper.bench.harness.TlsClient;
import dev.staplekeeper.testapps.pki.TestPki;
import dev.staplekeeper.testapps.process.ChildJvm;
import dev.staplekeeper.testapps.responder.FaultMode;
import dev.staplekeeper.testapps.responder.OcspResponder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Handshake load run: a real {@code jsse-server} JVM with the stock JDK stapling or with the
 * StapleKeeper agent, a real OCSP responder (in this JVM, on loopback) and N client threads doing
 * full TLS handshakes; healthy and during each responder fault.
 *
 * <p>Per scenario, with a fresh server JVM each time:
 *
 * <ol>
 *   <li>(once) the client JVM is warmed up for {@code --client-warmup} against a throwaway server,
 *       and the modes are interleaved per scenario, so neither mode always meets a colder client;
 *   <li>responder healthy; server started; handshakes until the first valid staple (the JDK fetches
 *       on that first handshake, the agent has prefetched);
 *   <li>warm-up: {@code --warmup} of load, healthy (discarded; JIT and caches of both sides);
 *   <li>the fault starts (nothing changes for {@code healthy}); the responder's request counter is
 *       reset;
 *   <li>idle {@code --idle} (no handshakes), longer than the stock JDK's shortened cache lifetime,
 *       so that its cache entry has aged out when the measurement starts;
 *   <li>measurement: {@code --duration} of load.
 * </ol>
 *
 * Stock JDK: {@code -Djdk.tls.server.enableStatusRequestExtension=true
 * -Djdk.tls.stapling.cacheLifetime=5}; the 5 s stand for the default hour, i.e. the measurement
 * shows a fault that outlasts the JDK's cache. Agent: {@code -javaagent} with {@code
 * refreshFraction=0.05, refreshJitter=0, retryInitialBackoff=200ms}: with responses valid 180 s its
 * background refresh falls due ~9 s after the prefetch, inside the fault, so its failure path (keep
 * the held response, back off) is what is measured, not just an idle cache.
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar dev.staplekeeper.bench.HandshakeLoad
 * [--java-home JDK] [--threads 4] [--duration 15s] [--modes stock,agent] [--scenarios
 * healthy,hang,unauthorized,down]}, from the repository root (jar paths default to the build
 * outputs there).
 */
public final class HandshakeLoad {
  private HandshakeLoad() {}

  record Row(
      String mode,
      String scenario,
      int handshakes,
      double perSecond,
      double p50,
      double p99,
      double max,
      double validPct,
      double stapledPct,
      int failed,
      int requestsMeasured,
      int requestsFault,
      String agentAttempts,
      String load) {}

  public static void main(String[] argv) throws Exception {
    Args a =
        Args.parse(
            argv,
            Set.of(
                "java-home",
                "agent",
                "test-apps",
                "threads",
                "duration",
                "warmup",
                "idle",
                "validity",
                "modes",
                "scenarios",
                "client-warmup",
                "work"));
    Path javaHome = a.path("java-home", System.getProperty("java.home"));
    Path agentJar = a.path("agent", "agent/target/staplekeeper-agent.jar");
    Path testApps =
        a.path("test-apps", "test-apps/target/staplekeeper-test-apps-0.1.0-SNAPSHOT-all.jar");
    int threads = a.integer("threads", 4);
    Duration duration = a.duration("duration", "15s");
    Duration warmup = a.duration("warmup", "5s");
    Duration idle = a.duration("idle", "6s");
    Duration validity = a.duration("validity", "180s");
    Duration clientWarmup = a.duration("client-warmup", "20s");
    List<String> modes = a.list("modes", "stock,agent");
    List<String> scenarios = a.list("scenarios", "healthy,hang,unauthorized,down");
    Path work =
        a.has("work")
            ? Files.createDirectories(a.path("work", ""))
            : Files.createTempDirectory("staplekeeper-load-");
    for (Path p : List.of(agentJar, testApps)) {
      if (!Files.isRegularFile(p)) {
        throw new IllegalStateException(p + " missing: build with mvn -pl benchmarks -am package");
      }
    }
    Logger.getLogger("staplekeeper.responder").setLevel(Level.WARNING);
    Path logging = work.resolve("logging.properties");
    Files.writeString(
        logging,
        "handlers=java.util.logging.ConsoleHandler\n"
            + "java.util.logging.ConsoleHandler.level=FINE\n"
            + ".level=INFO\n");

    System.out.println("# " + Machine.header(javaHome));
    System.out.printf(
        "# threads %d, client warm-up %ss, warm-up %ss, idle %ss, measurement %ss, responses valid"
            + " %ss, work %s%n",
        threads,
        clientWarmup.toSeconds(),
        warmup.toSeconds(),
        idle.toSeconds(),
        duration.toSeconds(),
        validity.toSeconds(),
        work);
    List<Row> rows = new ArrayList<>();
    try (OcspResponder responder =
        OcspResponder.startWithNewPki(work.resolve("pki"), false, validity)) {
      TestPki pki = responder.pki();
      TlsClient client =
          new TlsClient(pki.root(), pki.intermediate(), pki.server().getSerialNumber(), 30_000);
      // The client (this JVM) keeps getting faster while its JIT works: warm it up first, then
      // interleave the modes per scenario so that neither always runs on a colder client.
      if (!clientWarmup.isZero()) {
        responder.mode(FaultMode.HEALTHY);
        List<String> stock = List.of("-Djdk.tls.server.enableStatusRequestExtension=true");
        try (ChildJvm s =
            JsseServers.jsseServer(
                    "client-warmup",
                    javaHome,
                    testApps,
                    pki.dir(),
                    stock,
                    work.resolve("logs").resolve("client-warmup.log"))
                .start()) {
          Load w = Load.run(client, s.port(), threads, clientWarmup);
          System.out.printf(
              Locale.ROOT,
              "# client warm-up: %d handshakes in %ss (discarded)%n",
              w.ok,
              clientWarmup.toSeconds());
        }
      }
      for (String scenario : scenarios) {
        for (String mode : modes) {
          List<String> jvmArgs = new ArrayList<>();
          if (mode.equals("stock")) {
            jvmArgs.add("-Djdk.tls.server.enableStatusRequestExtension=true");
            jvmArgs.add("-Djdk.tls.stapling.cacheLifetime=5");
          } else if (mode.equals("agent")) {
            jvmArgs.add("-javaagent:" + agentJar);
            jvmArgs.add("-Dstaplekeeper.refreshFraction=0.05");
            jvmArgs.add("-Dstaplekeeper.refreshJitter=0");
            jvmArgs.add("-Dstaplekeeper.retryInitialBackoff=200ms");
            // every fetch attempt logged (FINE) so that refused connections can be counted too
            jvmArgs.add("-Dstaplekeeper.logLevel=DEBUG");
            jvmArgs.add("-Djava.util.logging.config.file=" + logging);
          } else {
            throw new IllegalArgumentException("mode is stock or agent: " + mode);
          }
          FaultMode fault = FaultMode.parse(scenario);
          Row row =
              run(
                  mode,
                  fault,
                  responder,
                  client,
                  JsseServers.jsseServer(
                      mode + "-" + fault.cliName(),
                      javaHome,
                      testApps,
                      pki.dir(),
                      jvmArgs,
                      work.resolve("logs").resolve(mode + "-" + scenario + ".log")),
                  threads,
                  warmup,
                  idle,
                  duration);
          rows.add(row);
          System.out.println("# " + format(row));
        }
      }
    }
    System.out.println();
    System.out.println(
        "| server | responder | handshakes | handshakes/s | p50 ms | p99 ms | max ms | valid staple"
            + " | stapled | failed | responder requests (measurement / whole fault) | agent fetch"
            + " attempts (whole fault) | load (1/5/15 min) |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (String mode : modes) {
      for (Row r : rows) {
        if (r.mode.equals(mode)) {
          System.out.println(format(r));
        }
      }
    }
    System.out.println();
    System.out.println("# " + Machine.header(javaHome));
  }

  static String format(Row r) {
    return String.format(
        Locale.ROOT,
        "| %s | %s | %d | %.1f | %s | %s | %s | %.1f %% | %.1f %% | %d | %d / %d | %s | %s |",
        r.mode,
        r.scenario,
        r.handshakes,
        r.perSecond,
        Stats.ms(r.p50),
        Stats.ms(r.p99),
        Stats.ms(r.max),
        r.validPct,
        r.stapledPct,
        r.failed,
        r.requestsMeasured,
        r.requestsFault,
        r.agentAttempts,
        r.load);
  }

  static Row run(
      String mode,
      FaultMode fault,
      OcspResponder responder,
      TlsClient client,
      ChildJvm.Builder serverJvm,
      int threads,
      Duration warmup,
      Duration idle,
      Duration duration)
      throws Exception {
    responder.mode(FaultMode.HEALTHY);
    try (ChildJvm server = serverJvm.start()) {
      Path log = server.log();
      long primeDeadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (true) {
        TlsClient.Result r = client.handshake(server.port());
        if (r.valid()) {
          break;
        }
        if (System.nanoTime() > primeDeadline) {
          throw new IllegalStateException(
              mode + ": no valid staple within 20 s with a healthy responder; see " + log);
        }
        Thread.sleep(20);
      }
      Load.run(client, server.port(), threads, warmup);
      responder.mode(fault);
      responder.resetCount();
      long faultStart = System.nanoTime();
      Thread.sleep(idle.toMillis());
      int beforeMeasurement = responder.requestCount();
      Load load = Load.run(client, server.port(), threads, duration);
      int requestsFault = responder.requestCount();
      String attempts = "–";
      if (mode.equals("agent")) {
        int n =
            server.countLines(faultStart, "StapleKeeper OCSP fetch for")
                + server.countLines(faultStart, "StapleKeeper got OCSP response")
                + server.countLines(faultStart, "StapleKeeper refreshed OCSP response");
        attempts = Integer.toString(n);
      }
      responder.mode(FaultMode.HEALTHY);
      return new Row(
          mode,
          fault.cliName(),
          load.ok,
          load.ok / (load.elapsedNanos / 1e9),
          Stats.percentile(load.sortedNanos, 50),
          Stats.percentile(load.sortedNanos, 99),
          Stats.percentile(load.sortedNanos, 100),
          load.ok == 0 ? 0 : 100.0 * load.valid / load.ok,
          load.ok == 0 ? 0 : 100.0 * load.stapled / load.ok,
          load.failed,
          requestsFault - beforeMeasurement,
          requestsFault,
          attempts,
          Machine.load());
    } finally {
      responder.mode(FaultMode.HEALTHY);
    }
  }

  /** N threads doing handshakes back to back until the deadline; the last ones may end later. */
  static final class Load {
    int ok;
    int failed;
    int stapled;
    int valid;
    long elapsedNanos;
    long[] sortedNanos;

    static Load run(TlsClient client, int port, int threads, Duration duration)
        throws InterruptedException {
      long start = System.nanoTime();
      long end = start + duration.toNanos();
      List<List<TlsClient.Result>> perThread = new ArrayList<>();
      List<Thread> workers = new ArrayList<>();
      AtomicBoolean stop = new AtomicBoolean();
      for (int i = 0; i < threads; i++) {
        List<TlsClient.Result> results = new ArrayList<>();
        perThread.add(results);
        Thread t =
            new Thread(
                () -> {
                  while (!stop.get() && System.nanoTime() < end) {
                    results.add(client.handshake(port));
                  }
                },
                "client-" + i);
        workers.add(t);
        t.start();
      }
      for (Thread t : workers) {
        t.join(duration.toMillis() + 60_000);
      }
      stop.set(true);
      Load l = new Load();
      l.elapsedNanos = System.nanoTime() - start;
      List<Long> nanos = new ArrayList<>();
      for (List<TlsClient.Result> results : perThread) {
        synchronized (results) {
          for (TlsClient.Result r : results) {
            if (r.ok()) {
              l.ok++;
              nanos.add(r.nanos());
              l.stapled += r.stapled() ? 1 : 0;
              l.valid += r.valid() ? 1 : 0;
            } else {
              l.failed++;
            }
          }
        }
      }
      l.sortedNanos = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
      return l;
    }
  }
}
