package dev.staplekeeper.bench.jmh;

import dev.staplekeeper.agent.StapleWiring;
import dev.staplekeeper.agent.bootstrap.StapleBridge;
import dev.staplekeeper.agent.config.AgentConfig;
import dev.staplekeeper.agent.ocsp.OcspFetcher;
import dev.staplekeeper.agent.ocsp.ResponseValidator;
import dev.staplekeeper.agent.staple.StapleService;
import dev.staplekeeper.testapps.responder.OcspResponder;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The handshake-path lookup on a cache hit: what one server handshake pays to find the OCSP
 * response to staple for a {leaf, intermediate} chain of the test PKI.
 *
 * <ul>
 *   <li>{@link #stapleKeeper}: {@code StapleService.responses("OCSP", chain)}, the agent's core,
 *       wired as the agent wires it ({@link StapleWiring}: real {@link OcspFetcher}, real {@link
 *       ResponseValidator}, default configuration); its cache holds a response fetched from a real
 *       {@link OcspResponder} on loopback and validated.
 *   <li>{@link #stapleKeeperViaBridge}: the same through {@link StapleBridge#responses}, with the
 *       JDK's own {@code CertStatusRequestType.OCSP} enum constant, i.e. everything the agent's
 *       advice calls.
 *   <li>{@link #jdk}: the JDK's own {@code sun.security.ssl.StatusResponseManager.get(OCSP,
 *       OCSPStatusRequest, chain, 5000, MILLISECONDS)}, reached by reflection (needs {@code
 *       --add-opens java.base/sun.security.ssl=ALL-UNNAMED}, set below for the fork), its cache
 *       primed by one real fetch from the same kind of responder.
 * </ul>
 *
 * Each state checks at tear-down that the responder saw no request during the measurement, i.e.
 * every measured call was a cache hit.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-opens=java.base/sun.security.ssl=ALL-UNNAMED", "-Xmx1g"})
public class LookupBenchmark {

  /**
   * Keeps the loggers (and their levels) alive: quiet INFO lines from the service and responder.
   */
  private static final Logger[] QUIET = {
    Logger.getLogger("dev.staplekeeper"), Logger.getLogger("staplekeeper.responder")
  };

  static {
    quiet();
  }

  /** Sets the service's and the responder's loggers to WARNING. */
  static void quiet() {
    for (Logger l : QUIET) {
      l.setLevel(Level.WARNING);
    }
  }

  /** Fails a run in which the responder was asked {@code during} the measurement. */
  static void checkAllHits(int during) {
    if (during != 0) {
      throw new IllegalStateException(
          during + " responder requests during the measurement: not all calls were cache hits");
    }
  }

  /** A real OCSP responder on 127.0.0.1 with a fresh test PKI whose leaf points at it. */
  static final class Responder implements AutoCloseable {
    final Path dir;
    final OcspResponder responder;
    final X509Certificate[] chain;

    Responder() throws IOException {
      dir = Files.createTempDirectory("staplekeeper-jmh-");
      // valid 1 h: no refresh (StapleKeeper refreshes at 30 min) and no expiry during a run
      responder = OcspResponder.startWithNewPki(dir, false, Duration.ofHours(1));
      chain = responder.pki().serverChain();
    }

    @Override
    public void close() throws IOException {
      responder.close();
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** StapleService built as the agent builds it, holding one validated response. */
  @State(Scope.Benchmark)
  public static class StapleKeeperHit {
    Responder fixture;
    StapleService service;
    X509Certificate[] chain;
    Object ocspType;
    int requestsAfterSetup;

    @Setup
    public void setUp() throws Exception {
      fixture = new Responder();
      chain = fixture.chain;
      service = StapleWiring.service(AgentConfig.defaults()).build();
      service.prefetch(chain);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (service.responses("OCSP", chain).isEmpty()) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("StapleService got no response: " + service.describe());
        }
        Thread.sleep(10);
      }
      checkHit(service.responses("OCSP", chain), chain);
      StapleBridge.install(service::responses, null);
      ocspType = JdkInternals.OCSP_TYPE;
      checkHit(StapleBridge.responses(ocspType, chain), chain);
      requestsAfterSetup = fixture.responder.requestCount();
    }

    @TearDown
    public void tearDown() throws IOException {
      int during = fixture.responder.requestCount() - requestsAfterSetup;
      StapleBridge.install(null, null);
      service.close();
      fixture.close();
      checkAllHits(during);
    }
  }

  /** The JDK's StatusResponseManager with its cache primed by one real fetch. */
  @State(Scope.Benchmark)
  public static class JdkHit {
    Responder fixture;
    Object manager;
    X509Certificate[] chain;
    int requestsAfterSetup;

    @Setup
    public void setUp() throws Throwable {
      fixture = new Responder();
      chain = fixture.chain;
      manager = JdkInternals.NEW_MANAGER.invokeExact();
      // the first call misses and fetches (on the JDK's pool, waiting up to 5 s), as a handshake
      checkHit(JdkInternals.get(manager, chain), chain);
      if (fixture.responder.requestCount() != 1) {
        throw new IllegalStateException(
            "expected 1 responder request, got " + fixture.responder.requestCount());
      }
      checkHit(JdkInternals.get(manager, chain), chain);
      requestsAfterSetup = fixture.responder.requestCount();
    }

    @TearDown
    public void tearDown() throws IOException {
      int during = fixture.responder.requestCount() - requestsAfterSetup;
      fixture.close();
      checkAllHits(during);
    }
  }

  @Benchmark
  public Map<X509Certificate, byte[]> stapleKeeper(StapleKeeperHit s) {
    return s.service.responses("OCSP", s.chain);
  }

  @Benchmark
  public Map<X509Certificate, byte[]> stapleKeeperViaBridge(StapleKeeperHit s) {
    return StapleBridge.responses(s.ocspType, s.chain);
  }

  @Benchmark
  public Map<X509Certificate, byte[]> jdk(JdkHit s) throws Throwable {
    return JdkInternals.get(s.manager, s.chain);
  }

  static void checkHit(Map<X509Certificate, byte[]> result, X509Certificate[] chain) {
    byte[] leaf = result == null ? null : result.get(chain[0]);
    if (leaf == null || leaf.length == 0) {
      throw new IllegalStateException("no response for the leaf: " + result);
    }
    if ((leaf[0] & 0xff) != 0x30) {
      throw new IllegalStateException("not a DER OCSPResponse: " + Arrays.toString(leaf));
    }
  }

  /**
   * {@code sun.security.ssl} by reflection, bound once into constant method handles so that the
   * measured call is the JDK method itself, not reflection.
   */
  static final class JdkInternals {
    static final Object OCSP_TYPE;
    static final Object EMPTY_OCSP_REQUEST;
    static final MethodHandle NEW_MANAGER;
    static final MethodHandle GET;

    static {
      try {
        Class<?> manager = Class.forName("sun.security.ssl.StatusResponseManager");
        Class<?> typeClass =
            Class.forName("sun.security.ssl.CertStatusExtension$CertStatusRequestType");
        Class<?> requestClass =
            Class.forName("sun.security.ssl.CertStatusExtension$CertStatusRequest");
        Class<?> ocspRequestClass =
            Class.forName("sun.security.ssl.CertStatusExtension$OCSPStatusRequest");

        Object ocsp = null;
        for (Object c : typeClass.getEnumConstants()) {
          if (((Enum<?>) c).name().equals("OCSP")) {
            ocsp = c;
          }
        }
        if (ocsp == null) {
          throw new IllegalStateException("no CertStatusRequestType.OCSP");
        }
        OCSP_TYPE = ocsp;

        // what a JDK client sends in status_request: no responder IDs, no extensions
        Constructor<?> reqCtor = ocspRequestClass.getDeclaredConstructor(byte.class, byte[].class);
        reqCtor.setAccessible(true);
        EMPTY_OCSP_REQUEST = reqCtor.newInstance((byte) 1, new byte[] {0, 0, 0, 0});

        Constructor<?> ctor = manager.getDeclaredConstructor();
        ctor.setAccessible(true);
        NEW_MANAGER =
            MethodHandles.lookup()
                .unreflectConstructor(ctor)
                .asType(MethodType.methodType(Object.class));

        Method get =
            manager.getDeclaredMethod(
                "get",
                typeClass,
                requestClass,
                X509Certificate[].class,
                long.class,
                TimeUnit.class);
        get.setAccessible(true);
        GET =
            MethodHandles.lookup()
                .unreflect(get)
                .asType(
                    MethodType.methodType(
                        Map.class,
                        Object.class,
                        Object.class,
                        Object.class,
                        X509Certificate[].class,
                        long.class,
                        TimeUnit.class));
      } catch (ReflectiveOperationException | RuntimeException e) {
        throw new ExceptionInInitializerError(
            new IllegalStateException(
                "cannot reach sun.security.ssl.StatusResponseManager; run with"
                    + " --add-opens java.base/sun.security.ssl=ALL-UNNAMED",
                e));
      }
    }

    private JdkInternals() {}

    /**
     * {@code manager.get(OCSP, EMPTY_OCSP, chain, 5000, MILLISECONDS)}, as a handshake calls it.
     */
    @SuppressWarnings("unchecked")
    static Map<X509Certificate, byte[]> get(Object manager, X509Certificate[] chain)
        throws Throwable {
      return (Map<X509Certificate, byte[]>)
          GET.invokeExact(
              manager, OCSP_TYPE, EMPTY_OCSP_REQUEST, chain, 5000L, TimeUnit.MILLISECONDS);
    }
  }
}
