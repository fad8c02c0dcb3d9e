package dev.staplekeeper.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.staplekeeper.testapps.checker.StapleChecker;
import dev.staplekeeper.testapps.ocsp.OcspResponseInfo;
import dev.staplekeeper.testapps.pki.TestPki;
import dev.staplekeeper.testapps.process.ChildJvm;
import dev.staplekeeper.testapps.responder.OcspResponder;
import dev.staplekeeper.testapps.server.ManySniServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A forked JSSE server with {@value #COUNT} certificates chosen by SNI ({@link ManySniServer}, keys
 * generated in parallel at its start) and the packaged agent with its default {@code cacheSize}:
 * the agent learns every certificate when the server context is initialised and fetches each once;
 * every certificate a handshake presents is stapled with its own response; the responder is asked
 * once for every certificate (no refresh falls into the test). Also prints the heap the agent's own
 * objects take per certificate ({@code jcmd GC.class_histogram}).
 */
class ManyCertificatesIT {
  static final int COUNT = 2000;

  /**
   * Refreshed at half of it (the default refreshFraction): no refresh falls into the test, so the
   * responder must be asked exactly once per certificate (refresh scheduling per certificate is
   * StapleServiceTest's subject).
   */
  static final Duration VALIDITY = Duration.ofHours(1);

  /**
   * Handshakes go to every {@value}th host name (and the last): 500 certificates presented and
   * checked, spread over the whole set, so the test takes seconds rather than a minute on a shared
   * 2-core machine; every one of the {@value #COUNT} is checked held by the agent's log line.
   */
  static final int HANDSHAKE_STEP = 4;

  static final Duration ALL_FETCHED = Duration.ofSeconds(150);

  @TempDir Path dir;

  /** One server per JDK, side by side (each with its own PKI and responder). */
  @Test
  void everyCertificateIsStapledAndFetchedOnce() throws Exception {
    List<Path> jdks = ForkedServer.jdks();
    ExecutorService pool = Executors.newFixedThreadPool(jdks.size());
    try {
      List<Future<?>> runs = new ArrayList<>();
      for (Path jdk : jdks) {
        runs.add(
            pool.submit(
                () -> {
                  runOn(jdk);
                  return null;
                }));
      }
      for (Future<?> run : runs) {
        try {
          run.get();
        } catch (ExecutionException e) {
          if (e.getCause() instanceof Error error) {
            throw error;
          }
          throw (Exception) e.getCause();
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private void runOn(Path jdk) throws Exception {
    try (OcspResponder responder = OcspResponder.bind(0);
        ResponderRequests requests = ResponderRequests.capture(responder.port())) {
      TestPki pki = TestPki.create(dir.resolve(ForkedServer.jdkName(jdk)), responder.url(), false);
      responder.start(pki, VALIDITY);
      String name = "many-certificates-" + ForkedServer.jdkName(jdk);
      long t0 = System.nanoTime();
      try (ChildJvm server =
          ChildJvm.java(jdk)
              .name(name)
              .jvmArgs("-Xshare:auto", "-javaagent:" + ForkedServer.agentJar())
              .main(
                  ForkedServer.testAppsJar().toString(),
                  ManySniServer.class.getName(),
                  List.of(pki.dir().toString(), String.valueOf(COUNT), "0"))
              .log(Path.of("target", "it-logs", name + ".log"))
              .stopGrace(Duration.ofSeconds(5))
              .start()) {
        long ready = System.nanoTime();
        awaitAtLeast(responder::requestCount, COUNT, ALL_FETCHED);
        long fetched = System.nanoTime();

        List<String> failures = handshakeWithHosts(server.port(), pki);
        long handshaken = System.nanoTime();
        assertThat(failures).as("handshakes without their own good staple").isEmpty();
        assertThat(validatedHosts(server.output()))
            .as("certificates whose response the agent validated and holds")
            .hasSize(COUNT);

        String histogram = histogram(jdk, server.pid());
        Files.writeString(Path.of("target", "it-logs", name + "-histogram.txt"), histogram);
        long agentBytes = agentBytes(histogram);

        Map<String, List<Long>> bySerial = requests.bySerial();
        assertThat(bySerial).as("certificates the responder was asked for").hasSize(COUNT);
        bySerial.forEach(
            (serial, times) ->
                assertThat(times)
                    .as("requests for serial %s (one per refresh)", serial)
                    .hasSize(1));
        assertThat(server.output()).doesNotContain("Exception in thread");

        System.out.printf(
            "%s: %d certificates; server ready after %d ms, all fetched %d ms later, %d handshakes"
                + " in %d ms; agent classes hold %d bytes on the heap (%d per certificate)%n",
            ForkedServer.jdkName(jdk),
            COUNT,
            (ready - t0) / 1_000_000,
            (fetched - ready) / 1_000_000,
            hosts().length,
            (handshaken - fetched) / 1_000_000,
            agentBytes,
            agentBytes / COUNT);
      }
    }
  }

  /** The host names the handshakes go to: every {@link #HANDSHAKE_STEP}th, and the last. */
  static int[] hosts() {
    return IntStream.concat(
            IntStream.range(0, COUNT).filter(i -> i % HANDSHAKE_STEP == 0), IntStream.of(COUNT - 1))
        .distinct()
        .toArray();
  }

  /** The host names of the agent's {@code got OCSP response for CN=...} lines. */
  static java.util.Set<String> validatedHosts(String log) {
    java.util.Set<String> hosts = new java.util.HashSet<>();
    Matcher m =
        Pattern.compile("StapleKeeper got OCSP response for CN=(h\\d+\\.test) ").matcher(log);
    while (m.find()) {
      hosts.add(m.group(1));
    }
    return hosts;
  }

  /**
   * One TLS 1.3 handshake with each of {@link #hosts}, four at a time: each must present the
   * certificate for its name and staple a good response for exactly that certificate.
   */
  static List<String> handshakeWithHosts(int port, TestPki pki) throws Exception {
    SSLContext client = StapleChecker.clientContext(pki.root());
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    java.util.concurrent.ForkJoinPool pool = new java.util.concurrent.ForkJoinPool(4);
    try {
      pool.submit(
              () ->
                  java.util.Arrays.stream(hosts())
                      .parallel()
                      .forEach(
                          i -> {
                            String failure = check(client, port, ManySniServer.host(i), pki);
                            if (failure != null) {
                              failures.add(failure);
                            }
                          }))
          .get(120, TimeUnit.SECONDS);
    } finally {
      pool.shutdown();
    }
    return new ArrayList<>(failures);
  }

  /** Null when {@code host} got its own certificate with a good staple for it, else why not. */
  static String check(SSLContext client, int port, String host, TestPki pki) {
    try (Socket tcp = new Socket()) {
      tcp.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      tcp.setSoTimeout(15_000);
      try (SSLSocket tls =
          // peer host = the SNI name: one client session cache entry per name, so no handshake
          // resumes another name's session (and its certificate)
          (SSLSocket) client.getSocketFactory().createSocket(tcp, host, port, false)) {
        SSLParameters params = tls.getSSLParameters();
        params.setServerNames(List.of(new SNIHostName(host)));
        params.setProtocols(new String[] {"TLSv1.3"});
        tls.setSSLParameters(params);
        tls.startHandshake();
        ExtendedSSLSession session = (ExtendedSSLSession) tls.getSession();
        X509Certificate leaf = (X509Certificate) session.getPeerCertificates()[0];
        if (!leaf.getSubjectX500Principal().getName().equals("CN=" + host)) {
          return host + ": presented " + leaf.getSubjectX500Principal();
        }
        List<byte[]> staples = session.getStatusResponses();
        if (staples.isEmpty() || staples.get(0).length == 0) {
          return host + ": no staple";
        }
        OcspResponseInfo info =
            OcspResponseInfo.parse(staples.get(0), pki.intermediate(), leaf.getSerialNumber());
        boolean good =
            info.signatureValid()
                && "good".equals(info.certStatus())
                && info.nextUpdate().isAfter(Instant.now());
        return good ? null : host + ": " + info;
      }
    } catch (IOException | RuntimeException e) {
      return host + ": " + e;
    }
  }

  /** The responder's requests, by serial, with the time each arrived (from its log records). */
  static final class ResponderRequests extends Handler implements AutoCloseable {
    private static final Pattern SERIAL = Pattern.compile(" serial=([0-9a-fA-F]+)");
    private final Logger logger = Logger.getLogger("staplekeeper.responder");
    private final Map<String, List<Long>> bySerial = new ConcurrentHashMap<>();
    private final String prefix;

    private ResponderRequests(int port) {
      this.prefix = "ocsp:" + port + " ";
    }

    /** The requests of the responder on {@code port}. */
    static ResponderRequests capture(int port) {
      ResponderRequests r = new ResponderRequests(port);
      r.logger.addHandler(r);
      return r;
    }

    Map<String, List<Long>> bySerial() {
      return bySerial;
    }

    @Override
    public void publish(LogRecord record) {
      String message = String.valueOf(record.getMessage());
      Matcher m = SERIAL.matcher(message);
      if (message.startsWith(prefix) && m.find()) {
        bySerial
            .computeIfAbsent(m.group(1), k -> new CopyOnWriteArrayList<>())
            .add(System.nanoTime());
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
      logger.removeHandler(this);
    }
  }

  static void awaitAtLeast(IntSupplier value, int target, Duration timeout)
      throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (value.getAsInt() < target && System.nanoTime() < end) {
      Thread.sleep(100);
    }
    assertThat(value.getAsInt()).as("reached within %s", timeout).isGreaterThanOrEqualTo(target);
  }

  /** {@code jcmd PID GC.class_histogram} of the server's JDK (after a full GC). */
  static String histogram(Path jdk, long pid) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(
                jdk.resolve("bin/jcmd").toString(), String.valueOf(pid), "GC.class_histogram")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes());
    p.waitFor(60, TimeUnit.SECONDS);
    return out;
  }

  /** Bytes of all instances of the agent's classes (its own and its relocated dependencies). */
  static long agentBytes(String histogram) {
    long sum = 0;
    for (String line : histogram.split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length >= 4 && f[3].startsWith("dev.staplekeeper.agent.")) {
        sum += Long.parseLong(f[2]);
      }
    }
    return sum;
  }
}
