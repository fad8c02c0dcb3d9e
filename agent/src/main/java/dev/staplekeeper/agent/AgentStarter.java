package dev.staplekeeper.agent;

import dev.staplekeeper.agent.bootstrap.StapleBridge;
import dev.staplekeeper.agent.config.AgentConfig;
import dev.staplekeeper.agent.config.ConfigException;
import dev.staplekeeper.agent.instrumentation.NonJsseDetection;
import dev.staplekeeper.agent.instrumentation.ServerStaplingInstrumentation;
import dev.staplekeeper.agent.instrumentation.StaplingInstrumentation;
import dev.staplekeeper.agent.log.AgentLog;
import dev.staplekeeper.agent.staple.ExecutorScheduler;
import dev.staplekeeper.agent.staple.Scheduler;
import dev.staplekeeper.agent.staple.StapleService;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.loading.ClassInjector;

/**
 * Wires StapleKeeper together in a running JVM: configuration, the bootstrap bridge, the staple
 * service and the instrumentation. Every failure ends in one clear log line and a JVM that behaves
 * as it would without the agent.
 */
final class AgentStarter {
  static final String SERVER_STAPLING = "jdk.tls.server.enableStatusRequestExtension";
  private static final String BRIDGE = "dev.staplekeeper.agent.bootstrap.StapleBridge";
  private static final String VERSION = versionOf();

  private AgentStarter() {}

  static void start(String args, Instrumentation inst) throws Exception {
    long startNanos = System.nanoTime();
    // Keeps the relocated Byte Buddy away from sun.misc.Unsafe (JDK 24+ warns on every use); the
    // shade plugin rewrites this name to the relocated package. StapleKeeper injects through
    // Instrumentation only.
    if (System.getProperty("net.bytebuddy.safe") == null) {
      System.setProperty("net.bytebuddy.safe", "true");
    }
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
      return;
    }
    AgentLog.setLevel(config.logLevel());
    if (!config.enabled()) {
      log.info(
          "StapleKeeper {} is disabled (staplekeeper.enabled=false); nothing patched", VERSION);
      return;
    }
    if (bridgeAlreadyInstalled()) {
      log.warn("StapleKeeper is already active in this JVM; ignoring the second -javaagent");
      return;
    }
    enableServerStapling(config, log);
    injectBridge(inst);

    StapleService service = StapleWiring.service(config).build();
    Scheduler prefetchScheduler = new ExecutorScheduler("staplekeeper-prefetch", 1);
    KeyManagerScanner scanner = new KeyManagerScanner(service);
    StapleBridge.install(
        config.failLookupsForTesting() ? AgentStarter::failLookup : service::responses,
        config.prefetch()
            ? keyManagers ->
                prefetchScheduler.schedule(() -> scanner.scan(keyManagers), Duration.ZERO)
            : null);

    StaplingInstrumentation instrumentation = new StaplingInstrumentation();
    try {
      instrumentation.install(inst);
    } catch (RuntimeException | LinkageError e) {
      StapleBridge.install(null, null);
      service.close();
      throw e;
    }
    List<String> patched = instrumentation.forceLoadTargets();
    Map<String, Throwable> errors = instrumentation.errors();
    if (!patched.contains(StaplingInstrumentation.STATUS_RESPONSE_MANAGER)) {
      StapleBridge.install(null, null);
      instrumentation.uninstall(inst);
      service.close();
      log.error(
          "StapleKeeper {} is NOT active: could not patch {} on Java {} ({}); the server runs with"
              + " the JDK's own OCSP stapling",
          VERSION,
          StaplingInstrumentation.STATUS_RESPONSE_MANAGER,
          System.getProperty("java.version"),
          errors.isEmpty() ? "method not found" : errors);
      return;
    }
    if (Boolean.parseBoolean(System.getProperty(SERVER_STAPLING))) {
      patched.addAll(new ServerStaplingInstrumentation().install(inst));
    }
    log.info(
        "StapleKeeper {} active on Java {}: patched {} in {} ms; refresh at {} of validity, retry"
            + " {}..{}, cold wait {}, cache dir {}; settings: {}",
        VERSION,
        System.getProperty("java.version"),
        String.join(", ", patched),
        (System.nanoTime() - startNanos) / 1_000_000,
        config.refreshFraction(),
        AgentConfig.format(config.retryInitialBackoff()),
        AgentConfig.format(config.retryMaxBackoff()),
        AgentConfig.format(config.coldWait()),
        config.cacheDir() == null ? "unset (memory only)" : config.cacheDir(),
        config.describeNonDefaults());
    StapleBridge.installNonJsse(new NonJsseWarnings()::contextCreated);
    NonJsseDetection.install(inst);
    prefetchScheduler.schedule(service::loadStored, Duration.ZERO);
    if (config.jmx()) {
      Staples mbean = new Staples(service, VERSION, config.describeNonDefaults());
      prefetchScheduler.schedule(mbean::register, Duration.ofSeconds(5));
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

  private static boolean bridgeAlreadyInstalled() {
    try {
      Class<?> c = Class.forName(BRIDGE, false, null);
      return (Boolean) c.getMethod("isInstalled").invoke(null);
    } catch (ClassNotFoundException e) {
      return false;
    } catch (ReflectiveOperationException e) {
      return true;
    }
  }

  /**
   * Puts {@link StapleBridge} into the bootstrap class loader before anything loads it from the
   * agent jar, so that the advice in java.base and the agent share one class.
   */
  private static void injectBridge(Instrumentation inst) throws IOException {
    String resource = BRIDGE.replace('.', '/') + ".class";
    byte[] bytes;
    try (InputStream in = AgentStarter.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("agent jar has no " + resource);
      }
      bytes = in.readAllBytes();
    }
    Path dir = Files.createTempDirectory("staplekeeper-boot");
    dir.toFile().deleteOnExit();
    ClassInjector.UsingInstrumentation.of(
            dir.toFile(), ClassInjector.UsingInstrumentation.Target.BOOTSTRAP, inst)
        .inject(Map.of(new TypeDescription.Latent(BRIDGE, 0, null), bytes));
    try {
      if (Class.forName(BRIDGE, false, null).getClassLoader() != null) {
        throw new IllegalStateException("bridge not in the bootstrap loader");
      }
    } catch (ClassNotFoundException e) {
      throw new IOException("bridge injection failed", e);
    }
  }

  private static String versionOf() {
    String v = AgentStarter.class.getPackage().getImplementationVersion();
    return v == null ? "(dev)" : v;
  }
}
