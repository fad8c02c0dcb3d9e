package dev.staplekeeper.testapps.demo;

import dev.staplekeeper.testapps.checker.StapleChecker;
import dev.staplekeeper.testapps.process.ChildJvm;
import dev.staplekeeper.testapps.responder.FaultMode;
import dev.staplekeeper.testapps.responder.OcspResponder;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.FileHandler;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * The outage demo: the same HTTPS app twice, once with the StapleKeeper agent and once on the stock
 * JDK, while the OCSP responder goes down, answers {@code unauthorized}, hangs and recovers; one
 * timeline line per second shows which server still staples.
 *
 * <p>Processes: the two servers are child JVMs (the test-apps server commands with {@code
 * --exit-on-stdin-eof}, run by {@link ChildJvm}); the responder and the TLS client run in this JVM.
 * Each server has its own responder instance (same mode at all times), so that each server's OCSP
 * requests can be counted. A shutdown hook stops everything on Ctrl-C or SIGTERM, and the servers
 * exit by themselves when this JVM dies (their stdin closes).
 */
public final class OutageDemo {
  private final Config config;
  private final PrintStream out;
  private final Scenario scenario;
  private final Report report;
  private final Object printLock = new Object();
  private final List<OcspResponder> responders = new ArrayList<>();
  private final List<ChildJvm> children = new ArrayList<>();
  private final List<Probe> probes = new ArrayList<>();
  private final Queue<String> agentLog = new ConcurrentLinkedQueue<>();
  private Logger responderLogger; // strong reference: JUL keeps loggers weakly
  private FileHandler responderLog;
  private int[][] ocsp;
  private volatile int secondsRun;
  private volatile boolean timelineStarted;
  private volatile boolean stopping;
  private volatile boolean interrupted;
  private volatile Thread hookThread;
  private boolean closed;
  private Path timelinePicture;

  /** The SVG timeline's file name in the work directory. */
  public static final String TIMELINE_PICTURE = "timeline.svg";

  /** Settings of one run. {@code agentJar} null means two stock servers. */
  public record Config(
      Path agentJar, Scenario scenario, DemoApp app, String java, Path work, boolean color) {}

  public OutageDemo(Config config, PrintStream out) {
    this.config = config;
    this.out = out;
    this.scenario = config.scenario();
    this.report = new Report(scenario, labels(config), config.color());
  }

  static List<String> labels(Config config) {
    return config.agentJar() == null
        ? List.of("STOCK JDK #1", "STOCK JDK #2")
        : List.of("WITH AGENT", "STOCK JDK");
  }

  /** Runs the whole demo, prints it, stops everything it started, and returns the numbers. */
  public Result run() throws Exception {
    Thread hook = new Thread(this::onSignal, "demo-stop");
    hookThread = hook;
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      Result result = runUnhooked();
      close();
      return result;
    } finally {
      close();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // shutting down: the hook is running
      }
    }
  }

  private Result runUnhooked() throws Exception {
    long started = System.nanoTime();
    List<String> labels = labels(config);
    String serverName = config.app().displayName();
    println(
        report.style(
            Report.BOLD,
            "StapleKeeper outage demo: "
                + serverName
                + (config.agentJar() == null
                    ? " twice on the stock JDK (no agent)"
                    : " with the StapleKeeper agent next to the same "
                        + serverName
                        + " without it")));
    println(
        "Takes about "
            + (scenario.totalSeconds() + 10)
            + " s. Ctrl-C stops it early; every process it starts is stopped.");
    println("");

    Path work =
        config.work() != null ? config.work() : Files.createTempDirectory("staplekeeper-demo-");
    Files.createDirectories(work);
    logResponderTo(work.resolve("responder.log"));
    step(
        1,
        "Test PKIs and OCSP responders (good responses valid "
            + scenario.validity().toSeconds()
            + " s)");
    long t = System.nanoTime();
    for (int i = 0; i < 2; i++) {
      responders.add(
          OcspResponder.startWithNewPki(
              work.resolve(i == 0 ? "pki-a" : "pki-b"), false, scenario.validity()));
    }
    println(
        "      "
            + responders.get(0).url()
            + " for "
            + labels.get(0)
            + ", "
            + responders.get(1).url()
            + " for "
            + labels.get(1));
    println(
        "      (one responder per server, always in the same mode, so that each server's requests"
            + " are counted)");
    println("      ready in " + millisSince(t) + " ms; log " + work.resolve("responder.log"));

    step(2, "Two " + serverName + " servers as child JVMs");
    List<String> common = commonFlags();
    List<String> agentFlags = agentFlags();
    println("      both:       " + config.java());
    for (String flag : common) {
      println("                    " + flag);
    }
    for (String line : config.app().shownCommand()) {
      println("                    " + line);
    }
    if (config.agentJar() != null) {
      println("      with agent: the same plus");
      for (String flag : agentFlags) {
        println("                    " + flag);
      }
    }
    println(
        "      Time is scaled down: responses live "
            + scenario.validity().toSeconds()
            + " s here (days at real CAs), so the JDK's response cache");
    println(
        "      lifetime is cut from its default 3600 s to "
            + scenario.stockCacheLifetimeSeconds()
            + " s and the agent's retry backoff from 2 s..10 min");
    println(
        "      to 1 s..5 s. jdk.tls.stapling.responseTimeout keeps its default (5 s), the agent its"
            + " default");
    println("      refresh at half of a response's validity.");
    t = System.nanoTime();
    for (int i = 0; i < 2; i++) {
      boolean withAgent = i == 0 && config.agentJar() != null;
      // The servers get the test apps only: an embedding test's class path may hold the agent's
      // own classes, which must come from the -javaagent jar alone.
      String classpath =
          System.getProperty("staplekeeper.demo.classpath", System.getProperty("java.class.path"));
      String name = withAgent ? "server-agent" : i == 0 ? "server-stock-1" : "server-stock";
      ChildJvm.Builder server =
          config
              .app()
              .configure(
                  ChildJvm.javaExecutable(config.java())
                      .name(name)
                      .jvmArgs(common)
                      .jvmArgs(withAgent ? agentFlags : List.of()),
                  classpath,
                  responders.get(i).pki().keystore())
              .log(work.resolve(name + ".log"))
              .stopGrace(Duration.ofSeconds(5))
              .onLine(withAgent ? this::agentLine : l -> {});
      if (stopping) {
        throw new IOException("interrupted");
      }
      synchronized (this) {
        children.add(server.launch());
      }
    }
    int[] ports = new int[2];
    for (int i = 0; i < 2; i++) {
      ports[i] = children.get(i).awaitReady(config.app().startTimeout());
    }
    for (int i = 0; i < 2; i++) {
      ChildJvm c = children.get(i);
      println(
          String.format(
              Locale.ROOT,
              "      %-12s pid %-7d https://127.0.0.1:%d/   log %s",
              labels.get(i),
              c.pid(),
              ports[i],
              c.log()));
    }
    println("      ready in " + millisSince(t) + " ms");
    warmUp(labels, ports);
    printAgentLog();
    step(
        3,
        "Outage timeline: "
            + scenario.phases().size()
            + " phases, "
            + scenario.totalSeconds()
            + " s");
    for (String l : report.legend()) {
      println(report.style(Report.DIM, l));
    }
    println("");
    for (int i = 0; i < 2; i++) {
      probes.add(new Probe(labels.get(i), ports[i], responders.get(i).pki()));
    }
    timeline();
    printAgentLog();
    if (interrupted) {
      return result();
    }
    step(4, "Summary (valid staples / handshakes, handshake ms median and max, OCSP requests)");
    for (String l : report.summary(result())) {
      println(l);
    }
    println("");
    if (config.agentJar() != null) {
      String text =
          "The stock JDK keeps a response only for its cache lifetime ("
              + scenario.stockCacheLifetimeSeconds()
              + " s here, standing for the default hour) and then fetches a new one during a"
              + " handshake: while the responder fails, its handshakes carry no staple, and while"
              + " it hangs, each handshake waits up to jdk.tls.stapling.responseTimeout. The agent"
              + " staples the last good response until just before its nextUpdate, fetches only in"
              + " the background, and retries with backoff; once a response has run out it sends no"
              + " staple rather than an expired one.";
      for (String l : Report.wrap("", text, report.lineWidth())) {
        println(l);
      }
      println("");
    }
    Result result = result();
    timelinePicture = work.resolve(TIMELINE_PICTURE);
    Files.writeString(timelinePicture, TimelineSvg.render(result, pictureTitle()));
    println("Timeline picture (SVG): " + timelinePicture);
    println("");
    print(
        "Stopping the servers (pids "
            + children.get(0).pid()
            + ", "
            + children.get(1).pid()
            + ") and the responders ... ");
    close();
    println(
        "done; total "
            + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)
            + " s. Work directory: "
            + work);
    return result;
  }

  /**
   * One handshake with each server before the timeline, not counted: a JVM's first TLS handshake
   * loads and compiles much of JSSE, which on a busy machine takes seconds and would otherwise blur
   * the first healthy second.
   */
  private void warmUp(List<String> labels, int[] ports) throws InterruptedException {
    List<CompletableFuture<String>> first = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      int server = i;
      first.add(
          CompletableFuture.supplyAsync(
              () -> {
                long t = System.nanoTime();
                try {
                  StapleChecker.check(
                      "127.0.0.1", ports[server], null, responders.get(server).pki());
                  return labels.get(server) + " " + millisSince(t) + " ms";
                } catch (IOException | RuntimeException e) {
                  return labels.get(server) + " failed after " + millisSince(t) + " ms";
                }
              }));
    }
    List<String> done = new ArrayList<>();
    for (CompletableFuture<String> f : first) {
      try {
        done.add(f.get(30, TimeUnit.SECONDS));
      } catch (ExecutionException | TimeoutException e) {
        done.add("no answer");
      }
    }
    println("      first handshake (warm-up, not counted): " + String.join(", ", done));
  }

  private String pictureTitle() {
    return "StapleKeeper outage demo ("
        + scenario.name()
        + "): "
        + config.app().displayName()
        + (config.agentJar() == null ? ", twice on the stock JDK" : ", with and without the agent");
  }

  /** The SVG timeline written after a complete run, or null before. */
  public Path timelinePicture() {
    return timelinePicture;
  }

  private void timeline() {
    ocsp = new int[scenario.phases().size()][2];
    int[] last = new int[2]; // from the responders' start: the first second includes start-up
    for (String l : report.header()) {
      println(l);
    }
    timelineStarted = true;
    long t0 = System.nanoTime();
    int phase = -1;
    for (int tick = 0; tick < scenario.totalSeconds() && !stopping; tick++) {
      sleepUntil(t0 + TimeUnit.SECONDS.toNanos(tick));
      int p = scenario.phaseAt(tick);
      if (p != phase) {
        phase = p;
        FaultMode mode = scenario.phases().get(p).mode();
        for (OcspResponder r : responders) {
          r.mode(mode);
        }
        printAgentLog();
        println(report.banner(p));
      }
      for (Probe probe : probes) {
        probe.trigger(tick, p);
      }
      sleepUntil(t0 + TimeUnit.SECONDS.toNanos(tick) + TimeUnit.MILLISECONDS.toNanos(900));
      if (stopping) {
        break;
      }
      int[] now = counts();
      Report.Cell[] cells = new Report.Cell[2];
      for (int i = 0; i < 2; i++) {
        List<Sample> done = probes.get(i).drain();
        Sample shown = done.isEmpty() ? null : done.get(done.size() - 1);
        int delta = now[i] - last[i];
        ocsp[p][i] += delta;
        cells[i] = new Report.Cell(shown, probes.get(i).busyMillis(), delta);
      }
      last = now;
      secondsRun = tick + 1;
      printAgentLog();
      println(report.line(tick, cells[0], cells[1]));
    }
  }

  private Result result() {
    List<List<Sample>> samples = new ArrayList<>();
    for (Probe p : probes) {
      samples.add(p.samples());
    }
    int[][] copy = new int[ocsp.length][];
    for (int i = 0; i < ocsp.length; i++) {
      copy[i] = ocsp[i].clone();
    }
    return new Result(scenario, labels(config), samples, copy, secondsRun);
  }

  private List<String> commonFlags() {
    return List.of(
        "-Xmx256m",
        "-XX:+UseSerialGC",
        "-Djava.util.logging.SimpleFormatter.format=%1$tT.%1$tL %4$s %3$s: %5$s%6$s%n",
        "-Djdk.tls.server.enableStatusRequestExtension=true",
        "-Djdk.tls.stapling.cacheLifetime=" + scenario.stockCacheLifetimeSeconds());
  }

  private List<String> agentFlags() {
    if (config.agentJar() == null) {
      return List.of();
    }
    List<String> flags = new ArrayList<>();
    flags.add("-javaagent:" + config.agentJar());
    flags.addAll(scenario.agentProperties());
    return flags;
  }

  private void agentLine(String line) {
    String shown = Report.agentLog(line);
    if (shown != null) {
      agentLog.add(shown);
    }
  }

  private void printAgentLog() {
    String line;
    while ((line = agentLog.poll()) != null) {
      for (String l : Report.wrap("      agent log: ", line, report.lineWidth())) {
        println(report.style(Report.DIM, l));
      }
    }
  }

  /** Sends the in-process responders' log lines to a file instead of this console. */
  private void logResponderTo(Path file) throws IOException {
    responderLogger = Logger.getLogger("staplekeeper.responder");
    responderLog = new FileHandler(file.toString().replace("%", "%%"));
    responderLog.setFormatter(new SimpleFormatter());
    responderLogger.addHandler(responderLog);
    responderLogger.setUseParentHandlers(false);
  }

  private int[] counts() {
    return new int[] {responders.get(0).requestCount(), responders.get(1).requestCount()};
  }

  /** True once Ctrl-C or SIGTERM stopped the demo (its failure is then not worth reporting). */
  public boolean interrupted() {
    return interrupted;
  }

  /** Shutdown hook: Ctrl-C or SIGTERM while the demo runs. */
  private void onSignal() {
    if (closed) {
      return;
    }
    interrupted = true;
    stopping = true;
    synchronized (printLock) {
      out.println();
      out.println(
          report.style(Report.BOLD, "Interrupted: stopping every process the demo started."));
      if (timelineStarted && secondsRun > 0) {
        out.println("Summary of the " + secondsRun + " s that ran:");
        for (String l : report.summary(result())) {
          out.println(l);
        }
      }
      out.flush();
    }
    close();
    synchronized (printLock) {
      out.println("Stopped.");
      out.flush();
    }
  }

  /** Stops the probes, the servers (and anything they started) and the responders. Idempotent. */
  synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    stopping = true;
    probes.forEach(Probe::close);
    List<Thread> stoppers = new ArrayList<>();
    for (ChildJvm c : children) {
      Thread th = new Thread(c::close, "demo-stop-" + c.name());
      th.start();
      stoppers.add(th);
    }
    for (Thread th : stoppers) {
      try {
        th.join(15_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    responders.forEach(OcspResponder::close);
    if (responderLog != null) {
      responderLogger.removeHandler(responderLog);
      responderLogger.setUseParentHandlers(true);
      responderLog.close();
    }
  }

  /** The pids of the servers started so far (for tests). */
  public synchronized List<Long> childPids() {
    return children.stream().map(ChildJvm::pid).toList();
  }

  private void step(int n, String text) {
    println(report.style(Report.BOLD, "[" + n + "/4] " + text));
  }

  private void println(String line) {
    synchronized (printLock) {
      if (interrupted && Thread.currentThread() != hookThread) {
        return; // the hook reports from here on
      }
      out.println(line);
      out.flush();
    }
  }

  private void print(String text) {
    synchronized (printLock) {
      if (interrupted && Thread.currentThread() != hookThread) {
        return;
      }
      out.print(text);
      out.flush();
    }
  }

  private static long millisSince(long t) {
    return (System.nanoTime() - t) / 1_000_000;
  }

  private static void sleepUntil(long nanoTime) {
    long left;
    while ((left = nanoTime - System.nanoTime()) > 0) {
      try {
        TimeUnit.NANOSECONDS.sleep(left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
