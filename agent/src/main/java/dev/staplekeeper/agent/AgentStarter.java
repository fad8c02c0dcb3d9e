package dev.staplekeeper.agent;

import dev.staplekeeper.agent.bootstrap.StapleBridge;
import dev.staplekeeper.agent.config.AgentConfig;
import dev.staplekeeper.agent.config.ConfigException;
import dev.staplekeeper.agent.instrumentation.NonJsseDetection;
import dev.staplekeeper.agent.instrumentation.ServerStaplingInstrumentation;
import dev.staplekeeper.agent.instrumentation.StaplingInstrumentation;
import dev.staplekeeper.agent.instrumentation.TransformerGate;
import dev.staplekeeper.agent.log.AgentLog;
import dev.staplekeeper.agent.staple.ExecutorScheduler;
import dev.staplekeeper.agent.staple.Scheduler;
import dev.staplekeeper.agent.staple.StapleService;
import java.lang.instrument.Instrumentation;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Wires StapleKeeper together in a running JVM: configuration, the bootstrap bridge, the staple
 * service and the instrumentation. Every failure ends in one clear log line and a JVM that behaves
 * as it would without the agent.
 */
final class AgentStarter {
  static final String SERVER_STAPLING = "jdk.tls.server.enableStatusRequestExtension";

  /** The shade plugin renames this (and the class) into java.base; see BridgeInjector. */
  private static final String BRIDGE = "dev.staplekeeper.agent.bootstrap.StapleBridge";

  /**
   * How long a JDK target class that loads before the agent is ready waits for it. On a quiet
   * machine the agent is ready in well under a second; on starved CPUs (tens of JVMs starting on
   * two cores) it has taken 15-25 s, and a target that stops waiting loads unpatched (no prefetch
   * for its context). The start before this gate existed blocked premain for as long, unbounded.
   */
  private static final long GATE_WAIT_SECONDS = 30;

  /**
   * How long after the agent was loaded a background start logs its outcome when the application
   * has not initialised a TLS context by then (see StartAnnouncement).
   */
  private static final long ANNOUNCE_AT_LATEST_MILLIS = 30_000;

  /**
   * How long after the application's first {@code SSLContext} a background start writes what it
   * said: past the server's first handshakes, which logging on a cold JVM would slow (see
   * StartAnnouncement).
   */
  private static final long ANNOUNCE_AFTER_CONTEXT_MILLIS = 1_000;

  private static final String VERSION = versionOf();

  private AgentStarter() {}

  /**
   * Starts the agent; the work after premain's share runs on {@link DeferredStart} ({@code
   * inBackground}) or on this thread. Returns true when the start was handed over: {@code done}
   * then runs once it has ended, successfully or not; false means it ended already, before anything
   * was handed over, and {@code done} was not run.
   */
  static boolean start(String args, Instrumentation inst, boolean inBackground, Runnable done)
      throws Exception {
    long startNanos = System.nanoTime();
    AgentLog log = AgentLog.get(StapleKeeperAgent.class);
    AgentConfig config;
    try {
      config = AgentConfig.load(args);
    } catch (ConfigException e) {
      log.error(
          "StapleKeeper {} is NOT active, nothing was patched: invalid configuration: {}. Fix the"
              + " setting (see docs/configuration.md); until then the server runs with the JDK's"
              + " own OCSP stapling.",
          VERSION,
          e.getMessage());
      return false;
    }
    AgentLog.setLevel(config.logLevel());
    if (!config.enabled()) {
      log.info(
          "StapleKeeper {} is disabled (staplekeeper.enabled=false); nothing patched", VERSION);
      return false;
    }
    if (inBackground) {
      // kept until the start line (DeferredStart), when the application has had its chance to
      // choose a LogManager; see AgentLog
      AgentLog.holdUntilReleased();
    }
    enableServerStapling(config, log);
    TransformerGate gate =
        new TransformerGate(
            StaplingInstrumentation.targetInternalNames(), GATE_WAIT_SECONDS, TimeUnit.SECONDS);
    inst.addTransformer(gate, true);
    StartAnnouncement announcement =
        new StartAnnouncement(
            startNanos,
            ANNOUNCE_AT_LATEST_MILLIS,
            ANNOUNCE_AFTER_CONTEXT_MILLIS,
            TimeUnit.MILLISECONDS);
    Activation activation =
        new Activation(config, inst, gate, announcement, startNanos, !inBackground, log);
    DeferredStart.run(inBackground, gate, activation, activation, announcement, done);
    return true;
  }

  /**
   * Everything that need not happen before the application's main: runs on DeferredStart. Returns
   * what logs the outcome (the start line).
   */
  private static Runnable activate(
      AgentConfig config,
      Instrumentation inst,
      TransformerGate gate,
      StartAnnouncement announcement,
      long startNanos,
      boolean attached)
      throws Exception {
    AgentLog log = AgentLog.get(StapleKeeperAgent.class);
    long activateNanos = System.nanoTime();
    // On this thread, not in premain: nothing calls the bridge before the gate opens (the patched
    // JDK classes and the non-JSSE detection wait for it).
    BridgeInjector.inject(inst, BRIDGE);
    if (!StapleBridge.claim()) {
      gate.fail();
      return () ->
          log.warn("StapleKeeper is already active in this JVM; ignoring the second -javaagent");
    }
    // The JDK classes are let through as soon as they are patched; handshakes and contexts that
    // come before the service is built wait for it or are queued. A handshake waits as long as a
    // class would wait at the gate, whatever coldWait is (that bounds waiting for a responder): the
    // first one after a restart needs the stored responses, and the service is normally there a
    // few hundred milliseconds after the gate opens.
    StartingService starting = new StartingService(GATE_WAIT_SECONDS, TimeUnit.SECONDS);
    StapleBridge.install(
        config.failLookupsForTesting() ? AgentStarter::failLookup : starting::responses,
        keyManagers -> {
          announcement.tlsContextInitialized();
          if (keyManagers != null) {
            starting.contextInitialized(keyManagers);
          }
        });
    StaplingInstrumentation instrumentation = new StaplingInstrumentation();
    try {
      instrumentation.install(inst, gate);
    } catch (RuntimeException | LinkageError e) {
      instrumentation.uninstall(inst, gate);
      StapleBridge.install(null, null);
      throw e;
    }
    List<String> patched = instrumentation.forceLoadTargets();
    // Both targets are patched: no transformer stays registered, since any registered transformer
    // makes the JVM hand every class it loads to Java code (see NonJsseDetection).
    inst.removeTransformer(gate);
    long patchedNanos = System.nanoTime();
    Map<String, Throwable> errors = instrumentation.errors();
    if (!patched.contains(StaplingInstrumentation.STATUS_RESPONSE_MANAGER)) {
      StapleBridge.install(null, null);
      instrumentation.uninstall(inst, gate);
      return () ->
          log.error(
              "StapleKeeper {} is NOT active: could not patch {} on Java {} ({}); the server runs"
                  + " with the JDK's own OCSP stapling",
              VERSION,
              StaplingInstrumentation.STATUS_RESPONSE_MANAGER,
              System.getProperty("java.version"),
              errors.isEmpty() ? "method not found" : errors);
    }

    StapleService service;
    try {
      service = StapleWiring.service(config).build();
    } catch (RuntimeException | LinkageError e) {
      starting.failed();
      throw e;
    }
    try {
      service.loadStored();
    } catch (RuntimeException e) {
      log.warn("StapleKeeper could not load stored OCSP responses: {}", e.toString());
    }
    Scheduler prefetchScheduler = new ExecutorScheduler("staplekeeper-prefetch", 1);
    KeyManagerScanner scanner = new KeyManagerScanner(service);
    starting.ready(
        service::responses,
        config.prefetch() ? scanner::scan : keyManagers -> {},
        config.prefetch()
            ? keyManagers ->
                prefetchScheduler.schedule(() -> scanner.scan(keyManagers), Duration.ZERO)
            : keyManagers -> {});
    // Queued ahead of the application's later contexts on the same thread: their prefetch would
    // load the same code, so it loses nothing by waiting for the warm-up.
    prefetchScheduler.schedule(() -> FetchPathWarmup.run(service), Duration.ZERO);
    new NonJsseDetection(new NonJsseWarnings()::stackFound).startScanning(inst, prefetchScheduler);
    long premainMillis = (activateNanos - startNanos) / 1_000_000;
    long instrumentationMillis = (patchedNanos - activateNanos) / 1_000_000;
    long serviceMillis = (System.nanoTime() - patchedNanos) / 1_000_000;
    // Only on attach: at launch premain set the property before any context existed, so every
    // context reads it, and patching SSLContextImpl would only cost start-up time.
    if (attached && Boolean.parseBoolean(System.getProperty(SERVER_STAPLING))) {
      patched.addAll(new ServerStaplingInstrumentation().install(inst));
    }
    long patchedMillis = (System.nanoTime() - startNanos) / 1_000_000;
    if (config.jmx()) {
      Staples mbean = new Staples(service, VERSION, config.describeNonDefaults());
      prefetchScheduler.schedule(mbean::register, Duration.ofSeconds(5));
    }
    // Logged with the start line, not now: the first use of java.util.logging sets it up, which
    // must wait until the application has had the chance to configure it (StartAnnouncement).
    return () -> {
      log.debug(
          "start: premain {} ms, instrumentation {} ms, service {} ms",
          premainMillis,
          instrumentationMillis,
          serviceMillis);
      logActive(config, patched, patchedMillis);
    };
  }

  /** The start line of an agent that is in. */
  private static void logActive(AgentConfig config, List<String> patched, long patchedMillis) {
    AgentLog.get(StapleKeeperAgent.class)
        .info(
            "StapleKeeper {} active on Java {}: patched {} in {} ms; refresh at {} of validity,"
                + " retry {}..{}, cold wait {}, cache dir {}; settings: {}",
            VERSION,
            System.getProperty("java.version"),
            String.join(", ", patched),
            patchedMillis,
            config.refreshFraction(),
            AgentConfig.format(config.retryInitialBackoff()),
            AgentConfig.format(config.retryMaxBackoff()),
            AgentConfig.format(config.coldWait()),
            config.cacheDir() == null ? "unset (memory only)" : config.cacheDir(),
            config.describeNonDefaults());
  }

  /** After a failed start: the JDK's own code from now on (if the bridge was defined at all). */
  private static void disconnect() {
    try {
      StapleBridge.install(null, null);
    } catch (LinkageError e) {
      // the bridge was never defined: nothing calls it either
    }
  }

  /**
   * The handshake delegate of {@code failLookupsForTesting}: throws inside StapleKeeper, so tests
   * can prove that the JDK's own stapling then runs unharmed.
   */
  private static Map<X509Certificate, byte[]> failLookup(String type, X509Certificate[] chain) {
    throw new IllegalStateException("staplekeeper.failLookupsForTesting is set");
  }

  private static void enableServerStapling(AgentConfig config, AgentLog log) {
    String current = System.getProperty(SERVER_STAPLING);
    if (current == null) {
      if (config.enableStatusRequestExtension()) {
        System.setProperty(SERVER_STAPLING, "true");
      }
    } else if (!Boolean.parseBoolean(current)) {
      log.warn(
          "{}={} is set: the server answers no status_request and StapleKeeper stays idle; remove it"
              + " to staple",
          SERVER_STAPLING,
          current);
    }
  }

  private static String versionOf() {
    String v = AgentStarter.class.getPackage().getImplementationVersion();
    return v == null ? "(dev)" : v;
  }

  /**
   * What the start thread runs, and what it logs if that fails: a named class, because a lambda
   * created in premain would bootstrap the JVM's lambda machinery before the application's main.
   */
  private static final class Activation
      implements DeferredStart.Work, Function<Throwable, Runnable> {
    private final AgentConfig config;
    private final Instrumentation inst;
    private final TransformerGate gate;
    private final StartAnnouncement announcement;
    private final long startNanos;
    private final boolean attached;
    private final AgentLog log;

    Activation(
        AgentConfig config,
        Instrumentation inst,
        TransformerGate gate,
        StartAnnouncement announcement,
        long startNanos,
        boolean attached,
        AgentLog log) {
      this.config = config;
      this.inst = inst;
      this.gate = gate;
      this.announcement = announcement;
      this.startNanos = startNanos;
      this.attached = attached;
      this.log = log;
    }

    @Override
    public Runnable run() throws Exception {
      return activate(config, inst, gate, announcement, startNanos, attached);
    }

    @Override
    public Runnable apply(Throwable t) {
      disconnect();
      return () ->
          log.error(
              "StapleKeeper {} is NOT active: failed to start ({}); the server runs with the"
                  + " JDK's own OCSP stapling",
              VERSION,
              t.toString());
    }
  }
}
