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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Start-up: from launching the server JVM to READY (listening) and to the first handshake that
 * carries a valid staple, for the stock JDK and the agent, with the responder up or DOWN, with and
 * without a response stored in {@code staplekeeper.cacheDir}. A single client connects as soon as
 * READY is printed and repeats full handshakes back to back until one carries a valid staple (or
 * {@code --give-up} after launch). Scenarios run round-robin, {@code --runs} times, after one
 * discarded round that warms the client up; medians are reported.
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar dev.staplekeeper.bench.StartupTimer
 * [--java-home JDK] [--runs 5] [--agent A.jar] [--compare-agent B.jar] [--scenarios all|up]}, from
 * the repository root; {@code --scenarios up} runs only the responder-up scenarios of the stock JDK
 * and the agents (no time to {@code main}, no disabled or responder-down runs), for A/B
 * comparisons.
 */
public final class StartupTimer {
  private StartupTimer() {}

  record Scenario(
      String name,
      boolean agent,
      FaultMode responder,
      Path cacheDir,
      List<String> extra,
      Path agentJar) {
    Scenario(String name, boolean agent, FaultMode responder, Path cacheDir) {
      this(name, agent, responder, cacheDir, List.of(), null);
    }

    Scenario(String name, boolean agent, FaultMode responder, Path cacheDir, List<String> extra) {
      this(name, agent, responder, cacheDir, extra, null);
    }
  }

  record Run(
      double readyMs,
      double firstHandshakeMs,
      boolean firstStapled,
      double firstHandshakeDurationMs,
      double firstStapleMs,
      int handshakesBeforeStaple,
      double agentResponseMs) {}

  /** Agent log lines that say it holds a response: fetched, or loaded from the cache dir. */
  private static final List<String> HOLDS_RESPONSE =
      List.of("StapleKeeper got OCSP response", "StapleKeeper loaded stored OCSP response");

  public static void main(String[] argv) throws Exception {
    Args a =
        Args.parse(
            argv,
            Set.of(
                "java-home",
                "agent",
                "compare-agent",
                "test-apps",
                "runs",
                "give-up",
                "validity",
                "scenarios",
                "work"));
    Path javaHome = a.path("java-home", System.getProperty("java.home"));
    Path agentJar = a.path("agent", "agent/target/staplekeeper-agent.jar");
    Path testApps =
        a.path("test-apps", "test-apps/target/staplekeeper-test-apps-0.1.0-SNAPSHOT-all.jar");
    Path compareAgent = a.has("compare-agent") ? a.path("compare-agent", "") : null;
    int runs = a.integer("runs", 5);
    Duration giveUp = a.duration("give-up", "10s");
    Duration validity = a.duration("validity", "600s");
    Path work =
        a.has("work")
            ? Files.createDirectories(a.path("work", ""))
            : Files.createTempDirectory("staplekeeper-startup-");
    Logger.getLogger("staplekeeper.responder").setLevel(Level.WARNING);

    System.out.println("# " + Machine.header(javaHome));
    System.out.println("# work dir (PKI, stored responses, server logs): " + work);
    try (OcspResponder responder =
        OcspResponder.startWithNewPki(work.resolve("pki"), false, validity)) {
      TestPki pki = responder.pki();
      TlsClient client =
          new TlsClient(pki.root(), pki.intermediate(), pki.server().getSerialNumber(), 30_000);

      Path stored = work.resolve("store-with-response");
      Path empty = work.resolve("store-empty");
      String which = a.string("scenarios", "all");
      if (!which.equals("all") && !which.equals("up")) {
        throw new IllegalArgumentException("--scenarios: all or up, not " + which);
      }
      boolean upOnly = which.equals("up");
      if (!upOnly) {
        timeToMain(javaHome, testApps, agentJar, compareAgent, runs);
      }
      List<Scenario> scenarios = new ArrayList<>();
      scenarios.addAll(
          List.of(
              new Scenario("stock JDK, responder up", false, FaultMode.HEALTHY, null),
              new Scenario("agent, responder up", true, FaultMode.HEALTHY, null)));
      if (compareAgent != null) {
        scenarios.add(
            new Scenario(
                "agent " + compareAgent.getFileName() + ", responder up",
                true,
                FaultMode.HEALTHY,
                null,
                List.of(),
                compareAgent));
      }
      if (!upOnly) {
        scenarios.addAll(
            List.of(
                new Scenario(
                    "agent jar loaded but disabled (staplekeeper.enabled=false), responder up",
                    true,
                    FaultMode.HEALTHY,
                    null,
                    List.of("-Dstaplekeeper.enabled=false")),
                new Scenario("stock JDK, responder DOWN", false, FaultMode.DOWN, null),
                new Scenario(
                    "agent + stored response, responder DOWN", true, FaultMode.DOWN, stored),
                new Scenario(
                    "agent, no stored response, responder DOWN", true, FaultMode.DOWN, empty)));

        // a stored response: one agent run with the responder up and the cache dir set
        Files.createDirectories(stored);
        responder.mode(FaultMode.HEALTHY);
        try (ChildJvm s =
            JsseServers.jsseServer(
                    "store",
                    javaHome,
                    testApps,
                    pki.dir(),
                    agentArgs(agentJar, stored),
                    work.resolve("logs/store.log"))
                .start()) {
          long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
          while (!(client.handshake(s.port()).valid() && hasStoredResponse(stored))) {
            if (System.nanoTime() > deadline) {
              throw new IllegalStateException("no stored response in " + stored);
            }
            Thread.sleep(50);
          }
        }
      }

      Map<Scenario, List<Run>> results = new LinkedHashMap<>();
      for (int round = 0; round <= runs; round++) {
        for (Scenario sc : scenarios) {
          List<String> jvmArgs;
          if (sc.agent()) {
            if (sc.cacheDir() == empty) {
              deleteTree(empty);
              Files.createDirectories(empty);
            }
            jvmArgs =
                new ArrayList<>(
                    agentArgs(sc.agentJar() == null ? agentJar : sc.agentJar(), sc.cacheDir()));
            jvmArgs.addAll(sc.extra());
          } else {
            jvmArgs = List.of("-Djdk.tls.server.enableStatusRequestExtension=true");
          }
          responder.mode(sc.responder());
          Run run;
          try {
            run =
                once(
                    client,
                    JsseServers.jsseServer(
                        sc.name(),
                        javaHome,
                        testApps,
                        pki.dir(),
                        jvmArgs,
                        work.resolve(
                            "logs/" + sc.name().replaceAll("[^a-zA-Z0-9]+", "-") + ".log")),
                    giveUp);
          } finally {
            responder.mode(FaultMode.HEALTHY);
          }
          if (round > 0) {
            results.computeIfAbsent(sc, k -> new ArrayList<>()).add(run);
          }
          System.out.printf(
              Locale.ROOT, "# round %d %s: %s (load %s)%n", round, sc.name(), run, Machine.load());
        }
      }

      System.out.println();
      System.out.printf(
          "| scenario | JVM launch → READY ms | launch → first handshake ms | first handshake"
              + " stapled | first handshake duration ms | launch → first valid staple ms |"
              + " handshakes before it | launch → agent holds a response (its log line) ms |%n");
      System.out.println("|---|---|---|---|---|---|---|---|");
      for (Map.Entry<Scenario, List<Run>> e : results.entrySet()) {
        List<Run> rs = e.getValue();
        long stapledFirst = rs.stream().filter(Run::firstStapled).count();
        long neverStapled = rs.stream().filter(r -> Double.isNaN(r.firstStapleMs())).count();
        List<Double> staple =
            rs.stream().map(Run::firstStapleMs).filter(d -> !Double.isNaN(d)).toList();
        System.out.printf(
            Locale.ROOT,
            "| %s | %.0f | %.0f | %d of %d | %.1f | %s | %s | %s |%n",
            e.getKey().name(),
            Stats.median(rs.stream().map(Run::readyMs).toList()),
            Stats.median(rs.stream().map(Run::firstHandshakeMs).toList()),
            stapledFirst,
            rs.size(),
            Stats.median(rs.stream().map(Run::firstHandshakeDurationMs).toList()),
            neverStapled == rs.size()
                ? "none within " + giveUp.toSeconds() + " s"
                : String.format(Locale.ROOT, "%.0f", Stats.median(staple))
                    + (neverStapled > 0 ? " (" + neverStapled + " runs: none)" : ""),
            neverStapled == rs.size()
                ? "–"
                : String.format(
                    Locale.ROOT,
                    "%.0f",
                    Stats.median(
                        rs.stream()
                            .filter(r -> !Double.isNaN(r.firstStapleMs()))
                            .map(r -> (double) r.handshakesBeforeStaple())
                            .toList())),
            rs.stream().allMatch(r -> Double.isNaN(r.agentResponseMs()))
                ? "–"
                : String.format(
                    Locale.ROOT,
                    "%.0f",
                    Stats.median(
                        rs.stream()
                            .map(Run::agentResponseMs)
                            .filter(d -> !Double.isNaN(d))
                            .toList())));
      }
      System.out.println();
      System.out.println("# medians of " + runs + " runs; " + Machine.header(javaHome));
    }
  }

  /**
   * Launch to exit of the test-apps {@code Main} without arguments (prints its usage and returns):
   * how much the agent adds before and around an application's {@code main}. Stock JDK, agent and
   * (if given) the comparison agent, interleaved; one discarded round; medians.
   */
  static void timeToMain(Path javaHome, Path testApps, Path agentJar, Path compareAgent, int runs)
      throws IOException, InterruptedException {
    Map<String, List<Double>> times = new LinkedHashMap<>();
    Map<String, List<String>> variants = new LinkedHashMap<>();
    variants.put("stock JDK", List.of());
    variants.put("agent", List.of("-javaagent:" + agentJar));
    if (compareAgent != null) {
      variants.put("agent " + compareAgent.getFileName(), List.of("-javaagent:" + compareAgent));
    }
    for (int round = 0; round <= runs; round++) {
      for (Map.Entry<String, List<String>> v : variants.entrySet()) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaHome.resolve("bin/java").toString());
        cmd.addAll(v.getValue());
        cmd.addAll(List.of("-cp", testApps.toString(), "dev.staplekeeper.testapps.Main"));
        long t0 = System.nanoTime();
        Process p =
            new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        p.waitFor();
        double ms = (System.nanoTime() - t0) / 1e6;
        if (round > 0) {
          times.computeIfAbsent(v.getKey(), k -> new ArrayList<>()).add(ms);
        }
        System.out.printf(
            Locale.ROOT,
            "# main round %d %s: %.0f ms (load %s)%n",
            round,
            v.getKey(),
            ms,
            Machine.load());
      }
    }
    System.out.println();
    System.out.println("| JVM launch → test-apps Main returned (usage) | median ms | runs |");
    System.out.println("|---|---|---|");
    for (Map.Entry<String, List<Double>> e : times.entrySet()) {
      System.out.printf(
          Locale.ROOT,
          "| %s | %.0f | %d |%n",
          e.getKey(),
          Stats.median(e.getValue()),
          e.getValue().size());
    }
    System.out.println();
  }

  static List<String> agentArgs(Path agentJar, Path cacheDir) {
    List<String> args = new ArrayList<>();
    args.add("-javaagent:" + agentJar);
    if (cacheDir != null) {
      args.add("-Dstaplekeeper.cacheDir=" + cacheDir);
    }
    return args;
  }

  static Run once(TlsClient client, ChildJvm.Builder serverJvm, Duration giveUp)
      throws IOException, InterruptedException {
    try (ChildJvm s = serverJvm.start()) {
      long launched = s.launchedNanos();
      long giveUpAt = launched + giveUp.toNanos();
      double firstAt = Double.NaN;
      double firstDuration = Double.NaN;
      boolean firstStapled = false;
      double stapleAt = Double.NaN;
      int before = 0;
      double responseAt = Double.NaN;
      while (System.nanoTime() < giveUpAt) {
        TlsClient.Result r = client.handshake(s.port());
        long now = System.nanoTime();
        if (!r.ok()) {
          Thread.sleep(5);
          continue;
        }
        if (Double.isNaN(firstAt)) {
          firstAt = now - launched;
          firstDuration = r.nanos();
          firstStapled = r.valid();
        }
        if (r.valid()) {
          stapleAt = now - launched;
          break;
        }
        before++;
      }
      Thread.sleep(100); // let the output pump catch up with the agent's log line
      for (ChildJvm.Line l : s.lines()) {
        if (HOLDS_RESPONSE.stream().anyMatch(l.text()::contains)) {
          responseAt = (l.nanos() - launched) / 1e6;
          break;
        }
      }
      return new Run(
          (s.readyNanos() - launched) / 1e6,
          firstAt / 1e6,
          firstStapled,
          firstDuration / 1e6,
          stapleAt / 1e6,
          before,
          responseAt);
    }
  }

  static boolean hasStoredResponse(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.anyMatch(p -> p.getFileName().toString().endsWith(".ocsp"));
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
