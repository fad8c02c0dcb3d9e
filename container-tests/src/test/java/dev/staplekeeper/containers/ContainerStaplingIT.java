package dev.staplekeeper.containers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.staplekeeper.testapps.ocsp.OcspResponseFactory;
import dev.staplekeeper.testapps.pki.TestPki;
import dev.staplekeeper.testapps.process.ChildJvm;
import dev.staplekeeper.testapps.responder.FaultMode;
import dev.staplekeeper.testapps.responder.OcspResponder;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * One real server distribution, started as its own process with the agent added the way
 * docs/operations.md tells users, checked with real clients while its OCSP responder is healthy,
 * failing and back.
 *
 * <p>Each subclass owns its PKI, responder and server, so the classes run in parallel (see
 * junit-platform.properties); the methods of one class run in order on one server.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class ContainerStaplingIT {
  /** Far from nextUpdate during the run; 6 s refresh period with refreshFraction 0.05. */
  static final Duration VALIDITY = Duration.ofMinutes(2);

  /** Longer than the agent's 6 s refresh period (see {@link Agent}), so it meets this fault. */
  static final Duration UNAUTHORIZED_PHASE = Duration.ofSeconds(7);

  static final Duration OTHER_FAULT_PHASE = Duration.ofSeconds(4);

  static final int MAX_FAULT_REQUESTS = 10;

  /** Longest wait for a fresher staple after the outage: the 4 s retry cap plus jitter and load. */
  static final Duration RECOVERY = Duration.ofSeconds(15);

  /**
   * A healthy stapled handshake takes tens of milliseconds (hundreds for a command-line client on a
   * loaded 2-core machine); the stock JDK waits up to 5 s for a hanging responder on the handshake
   * thread. Half of that separates the two with room for load.
   */
  static final Duration FAST_HANDSHAKE = Duration.ofMillis(2500);

  /** The outage's phases in order: unauthorized, down, hang. */
  static Map<FaultMode, Duration> outage() {
    Map<FaultMode, Duration> faults = new LinkedHashMap<>();
    faults.put(FaultMode.UNAUTHORIZED, UNAUTHORIZED_PHASE);
    faults.put(FaultMode.DOWN, OTHER_FAULT_PHASE);
    faults.put(FaultMode.HANG, OTHER_FAULT_PHASE);
    return faults;
  }

  Path work;
  OcspResponder responder;
  TestPki pki;
  ChildJvm server;
  final List<Observation> seen = new ArrayList<>();
  final List<String> notes = new ArrayList<>();

  /** A short name, also the name of the work directory. */
  abstract String name();

  /** The JDK feature release the server runs on. */
  abstract int jdkFeature();

  /** Starts the server distribution with {@code setup}. */
  abstract ChildJvm start(ServerSetup setup) throws IOException, InterruptedException;

  /** The JVM options the server is given: the agent line and its settings. */
  List<String> jvmOptions() {
    return Agent.jvmOptions(work.resolve("staple-cache"));
  }

  @BeforeAll
  void startResponderAndServer() throws Exception {
    work = Path.of(System.getProperty("staplekeeper.it.work", "target/it-work")).resolve(name());
    Files.createDirectories(work);
    responder = OcspResponder.bind(0);
    pki = TestPki.create(work.resolve("pki"), responder.url(), false);
    responder.start(pki, VALIDITY);
    warmUp();
    server =
        start(
            new ServerSetup(
                "server",
                Jdks.jdk(jdkFeature()),
                Ports.free(),
                pki.keystore(),
                TestPki.PASSWORD,
                "server",
                jvmOptions(),
                work));
  }

  @AfterAll
  void stopServerAndResponder() throws IOException {
    try {
      writeObservations();
    } finally {
      stop();
    }
  }

  private void stop() {
    try {
      if (server != null) {
        server.close();
      }
    } finally {
      if (responder != null) {
        responder.close();
      }
    }
  }

  /**
   * One request to the responder before the server starts, so that the server's very first fetch
   * does not also pay for class loading and JIT in this test JVM: the first handshake then measures
   * the agent's prefetch, not the harness.
   */
  private void warmUp() throws IOException, InterruptedException {
    byte[] request = new OcspResponseFactory(pki).request(null, pki.server());
    HttpResponse<byte[]> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(responder.url())
                    .header("Content-Type", "application/ocsp-request")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(request))
                    .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    assertThat(response.statusCode()).as("responder warm-up").isEqualTo(200);
  }

  /** One line per handshake in {@code observations.txt} of the work directory, for timings. */
  private void writeObservations() throws IOException {
    if (work == null) {
      return;
    }
    StringBuilder sb = new StringBuilder();
    synchronized (seen) {
      seen.forEach(o -> sb.append(o.summary()).append('\n'));
      notes.forEach(n -> sb.append(n).append('\n'));
    }
    Files.writeString(work.resolve("observations.txt"), sb);
  }

  /** Whether the server runs with the agent; the stock-JDK control does not. */
  boolean withAgent() {
    return true;
  }

  /** Waits a little for {@code text} to reach the server log (the JVM flushes it per record). */
  void assertServerLogged(String text) throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (!server.output().contains(text) && System.nanoTime() < end) {
      Thread.sleep(100);
    }
    assertThat(server.output()).as("server log %s", server.log()).contains(text);
  }

  Path rootPem() {
    return pki.dir().resolve("root.pem");
  }

  Observation openssl(String tls) throws IOException {
    return record(OpenSslClient.handshake(server.port(), rootPem(), tls));
  }

  Observation jdk(String protocol) {
    return record(JdkClient.handshake(server.port(), pki, protocol));
  }

  Observation gnutls(String priority) throws IOException {
    return record(GnutlsClient.handshake(server.port(), rootPem(), priority));
  }

  Observation record(Observation observation) {
    synchronized (seen) {
      seen.add(observation);
    }
    return observation;
  }

  /** Fails with the server log tail attached, so a CI failure explains itself. */
  void assertGood(Observation o) {
    assertThat(o.goodStaple(Instant.now()))
        .as(
            "%s: expected a good staple from %s\n%s\n--- server log ---\n%s",
            name(), o.client(), o, server.tail())
        .isTrue();
  }

  @Test
  @Order(1)
  void firstHandshakeAfterStartIsStapled() throws Exception {
    assertGood(openssl("-tls1_3"));
    if (withAgent()) {
      assertServerLogged("StapleKeeper ");
      assertServerLogged(" active on Java " + Jdks.feature(Jdks.jdk(jdkFeature())));
      assertServerLogged("StapleKeeper got OCSP response for CN=localhost");
    }
  }

  @Test
  @Order(2)
  void staplesAGoodResponseToEveryClientAndProtocol() throws Exception {
    Observation tls12 = openssl("-tls1_2");
    assertGood(tls12);
    assertGood(openssl("-tls1_3"));
    assertGood(jdk("TLSv1.3"));
    assertGood(jdk("TLSv1.2"));
    if (GnutlsClient.installed()) {
      assertGood(gnutls(null));
      assertGood(gnutls("NORMAL:-VERS-TLS1.3"));
    }
  }

  @Test
  @Order(3)
  void bundledCheckerReportsAValidStaple() throws Exception {
    Command.Result result =
        JdkClient.cli(Jdks.jdk(17).resolve("bin/java"), server.port(), pki.dir());
    assertThat(result.exitCode()).as("check exit code; output:\n%s", result.output()).isZero();
    assertThat(result.output()).contains("stapled=yes valid=yes").contains("cert=good");
  }

  /**
   * The outage of design.md section 3, shortened: the responder answers {@code unauthorized}, then
   * refuses connections, then hangs. The agent refreshes every 6 s (see {@link Agent}), so it asks
   * the failing responder during the outage; every handshake must still carry the same good staple,
   * as fast as when the responder is healthy, and the responder must not be asked once per
   * handshake.
   */
  @Test
  @Order(4)
  void keepsTheSameGoodStapleThroughAResponderOutage() throws Exception {
    assertGood(openssl("-tls1_3"));

    int requestsBefore = responder.requestCount();
    List<Observation> duringFault = new ArrayList<>();
    Map<FaultMode, Duration> faults = outage();
    int unauthorizedRequests = 0;
    try {
      for (Map.Entry<FaultMode, Duration> fault : faults.entrySet()) {
        int requestsAtStart = responder.requestCount();
        int handshakesAtStart = duringFault.size();
        responder.mode(fault.getKey());
        long end = System.nanoTime() + fault.getValue().toNanos();
        while (System.nanoTime() < end) {
          duringFault.add(assertSameGoodStaple(openssl("-tls1_3"), duringFault));
          duringFault.add(assertSameGoodStaple(jdk(null), duringFault));
          Thread.sleep(100);
        }
        if (GnutlsClient.installed()) {
          // gnutls-cli --ocsp asks the (failing) responder itself when nothing is stapled
          duringFault.add(assertSameGoodStaple(gnutls(null), duringFault));
        }
        // every phase is exercised; how many handshakes fit depends on the clients' speed (an
        // openssl process took 0.5-0.8 s on a loaded 2-core CI machine)
        assertThat(duringFault.size() - handshakesAtStart)
            .as("handshakes while the responder was %s", fault.getKey())
            .isGreaterThanOrEqualTo(4);
        if (fault.getKey() == FaultMode.UNAUTHORIZED) {
          unauthorizedRequests = responder.requestCount() - requestsAtStart;
        }
      }
    } finally {
      responder.mode(FaultMode.HEALTHY);
    }
    int faultRequests = responder.requestCount() - requestsBefore;
    synchronized (seen) {
      notes.add(
          "outage: "
              + duringFault.size()
              + " handshakes, "
              + faultRequests
              + " responder requests ("
              + unauthorizedRequests
              + " while unauthorized)");
    }

    Instant faultStaple = duringFault.get(0).thisUpdate();
    assertThat(unauthorizedRequests)
        .as(
            "the agent refreshed and met the unauthorized responder (server log:\n%s)",
            server.tail())
        .isPositive();
    // retries 1 s, 2 s, then every 4 s (+-25 %) over 15 s: about 6, plus the hanging one
    assertThat(faultRequests)
        .as(
            "responder requests during the outage (%d handshakes): bounded by backoff, not one per"
                + " handshake",
            duringFault.size())
        .isLessThanOrEqualTo(MAX_FAULT_REQUESTS);

    assertServerLogged("failed (attempt 1): invalid response from " + responder.url());
    assertServerLogged("responseStatus unauthorized (6)");
    assertServerLogged("keeping the last good response");

    // responder back: the agent's next retry (at most 4 s + jitter away) brings a fresher staple
    Observation after = openssl("-tls1_3");
    long end = System.nanoTime() + RECOVERY.toNanos();
    while (!fresher(after, faultStaple) && System.nanoTime() < end) {
      Thread.sleep(250);
      after = openssl("-tls1_3");
    }
    assertGood(after);
    assertThat(after.thisUpdate())
        .as("a fresher staple once the responder is back")
        .isAfter(faultStaple);
    assertServerLogged("failed attempts; next refresh in");
  }

  /**
   * A restart while the responder is down: with {@code cacheDir} the agent reloads the stored
   * response, re-validates it and staples it on the first handshake of the new process.
   */
  @Test
  @Order(5)
  void restartDuringAnOutageStaplesTheStoredResponse() throws Exception {
    Observation before = openssl("-tls1_3");
    assertGood(before);
    responder.mode(FaultMode.DOWN);
    try {
      server = server.restart();
      Observation first = openssl("-tls1_3");
      assertGood(first);
      assertThat(first.thisUpdate())
          .as("the stored response, not a new one (the responder is down)")
          .isEqualTo(before.thisUpdate());
      assertGood(jdk(null));
      if (withAgent()) {
        assertServerLogged("StapleKeeper loaded stored OCSP response");
      }
    } finally {
      responder.mode(FaultMode.HEALTHY);
    }
  }

  /**
   * Fails at the first bad handshake of the outage (while the responder is still failing, so the
   * server log shows the state): a good staple, the same as the first one of the outage, and fast.
   */
  private Observation assertSameGoodStaple(Observation o, List<Observation> before) {
    assertGood(o);
    if (!before.isEmpty()) {
      assertThat(o.thisUpdate())
          .as("the same staple all through the outage: %s", o)
          .isEqualTo(before.get(0).thisUpdate());
    }
    assertThat(o.elapsed()).as("handshake time of %s", o.summary()).isLessThan(FAST_HANDSHAKE);
    return o;
  }

  private static boolean fresher(Observation o, Instant than) {
    return o.thisUpdate() != null && o.thisUpdate().isAfter(than);
  }
}
