package dev.staplekeeper.containers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.staplekeeper.testapps.pki.TestPki;
import dev.staplekeeper.testapps.process.ChildJvm;
import dev.staplekeeper.testapps.responder.FaultMode;
import dev.staplekeeper.testapps.responder.OcspResponder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Spring Boot on embedded Tomcat, Jetty and Undertow, Spring WebFlux on Reactor Netty and a plain
 * Netty server, each a JVM of its own with nothing but the {@code -javaagent} line added, started
 * side by side on one JDK and put through one responder outage together (the phases of {@link
 * ContainerStaplingIT}: unauthorized, down, hang), so the five cost one outage's time. Next to them
 * Netty with its OpenSSL provider, where the agent cannot staple and must say so.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class FrameworkStaplingIT {
  /**
   * The lock the JDK subclasses share: six JVMs starting at once already fill a 2-core machine for
   * a while, twelve would make the start slower than running the two JDKs one after the other.
   */
  static final String SERVERS = "framework-servers";

  static final List<Framework> STAPLED =
      List.of(
          Framework.SPRING_BOOT_TOMCAT,
          Framework.SPRING_BOOT_JETTY,
          Framework.SPRING_BOOT_UNDERTOW,
          Framework.SPRING_WEBFLUX_NETTY,
          Framework.NETTY_JDK);

  private Path work;
  private OcspResponder responder;
  private TestPki pki;
  private final Map<Framework, ChildJvm> servers = new EnumMap<>(Framework.class);
  private final List<String> notes = new ArrayList<>();

  abstract int jdkFeature();

  @BeforeAll
  void startResponderAndServers() throws Exception {
    work =
        Path.of(System.getProperty("staplekeeper.it.work", "target/it-work"))
            .resolve("frameworks-jdk" + jdkFeature());
    Files.createDirectories(work);
    responder = OcspResponder.bind(0);
    pki = TestPki.create(work.resolve("pki"), responder.url(), false);
    responder.start(pki, ContainerStaplingIT.VALIDITY);
    ExecutorService starter = Executors.newFixedThreadPool(Framework.values().length);
    try {
      Map<Framework, Future<ChildJvm>> starting = new EnumMap<>(Framework.class);
      for (Framework f : Framework.values()) {
        ServerSetup setup =
            new ServerSetup(
                f.label(),
                Jdks.jdk(jdkFeature()),
                Ports.free(),
                pki.keystore(),
                TestPki.PASSWORD,
                "server",
                Agent.jvmOptions(work.resolve(f.label()).resolve("staple-cache")),
                work);
        starting.put(f, starter.submit(() -> f.start(setup)));
      }
      Exception failed = null;
      for (Map.Entry<Framework, Future<ChildJvm>> e : starting.entrySet()) {
        try {
          servers.put(e.getKey(), e.getValue().get());
        } catch (ExecutionException ex) {
          failed = failed == null ? ex : failed;
        }
      }
      if (failed != null) {
        throw failed;
      }
    } finally {
      starter.shutdown();
    }
  }

  @AfterAll
  void stopServersAndResponder() throws Exception {
    try {
      if (work != null) {
        Files.write(work.resolve("observations.txt"), notes);
      }
    } finally {
      servers.values().forEach(ChildJvm::close);
      if (responder != null) {
        responder.close();
      }
    }
  }

  @Test
  @Order(1)
  void everyFrameworkStaplesItsFirstHandshake() throws Exception {
    for (Framework f : STAPLED) {
      ChildJvm server = servers.get(f);
      assertGood(f, openssl(f));
      assertGood(f, jdk(f, "TLSv1.2"));
      assertLogged(server, f.readyText());
      assertLogged(server, " active on Java " + jdkFeature());
      assertLogged(server, "StapleKeeper got OCSP response for CN=localhost");
      assertThat(server.output()).as("%s: JSSE, no warning", f).doesNotContain("cannot staple");
    }
  }

  /** The same good staple on every server all through the outage, as fast as when healthy. */
  @Test
  @Order(2)
  void everyFrameworkKeepsItsGoodStapleThroughAResponderOutage() throws Exception {
    // each server's first staple of the outage, as in ContainerStaplingIT: one taken before could
    // be replaced by a refresh that was on its way when the responder started failing
    Map<Framework, Instant> staple = new EnumMap<>(Framework.class);
    Map<FaultMode, Duration> faults = ContainerStaplingIT.outage();
    Map<Framework, Integer> handshakes = new EnumMap<>(Framework.class);
    int requestsBefore = responder.requestCount();
    int unauthorizedRequests = 0;
    try {
      for (Map.Entry<FaultMode, Duration> fault : faults.entrySet()) {
        int requestsAtStart = responder.requestCount();
        responder.mode(fault.getKey());
        long end = System.nanoTime() + fault.getValue().toNanos();
        do {
          for (Framework f : STAPLED) {
            assertSameFastGoodStaple(f, openssl(f), staple);
            assertSameFastGoodStaple(f, jdk(f, null), staple);
            handshakes.merge(f, 2, Integer::sum);
          }
        } while (System.nanoTime() < end);
        if (fault.getKey() == FaultMode.UNAUTHORIZED) {
          unauthorizedRequests = responder.requestCount() - requestsAtStart;
        }
      }
    } finally {
      responder.mode(FaultMode.HEALTHY);
    }
    int faultRequests = responder.requestCount() - requestsBefore;
    notes.add("outage: handshakes " + handshakes + ", " + faultRequests + " responder requests");
    assertThat(unauthorizedRequests).as("the agents met the unauthorized responder").isPositive();
    assertThat(faultRequests)
        .as("responder requests of %d servers: bounded by backoff, not one per handshake", 5)
        .isLessThanOrEqualTo(ContainerStaplingIT.MAX_FAULT_REQUESTS * STAPLED.size());
    for (Framework f : STAPLED) {
      assertThat(handshakes.get(f))
          .as("%s handshakes during the outage", f)
          .isGreaterThanOrEqualTo(6);
      assertLogged(servers.get(f), "keeping the last good response");
    }

    // responder back: each agent's next retry (at most 4 s + jitter away) brings a fresher staple
    long end = System.nanoTime() + ContainerStaplingIT.RECOVERY.toNanos();
    for (Framework f : STAPLED) {
      Observation after = openssl(f);
      while (!after.thisUpdate().isAfter(staple.get(f)) && System.nanoTime() < end) {
        Thread.sleep(250);
        after = openssl(f);
      }
      assertGood(f, after);
      assertThat(after.thisUpdate())
          .as("%s: fresher staple after the outage", f)
          .isAfter(staple.get(f));
    }
  }

  /**
   * Netty's OpenSSL provider does TLS in BoringSSL: nothing to patch. The handshake works, carries
   * no staple, and the agent said so once, naming the stack and the fix.
   */
  @Test
  @Order(3)
  void nettyWithOpenSslGetsOneWarningAndNoStaple() throws Exception {
    ChildJvm server = servers.get(Framework.NETTY_OPENSSL);
    Observation o = openssl(Framework.NETTY_OPENSSL);
    assertThat(o.handshakeOk()).as("%s", o).isTrue();
    assertThat(o.stapled()).as("%s", o).isFalse();
    String warning =
        "StapleKeeper cannot staple for the TLS server contexts of Netty SslContext with the"
            + " OpenSSL provider (netty-tcnative), io.netty.handler.ssl.OpenSslServerContext:";
    assertLogged(server, warning);
    assertThat(server.output()).contains("SslProvider.JDK");
    assertThat(server.output().split(Pattern.quote(warning), -1))
        .as("one warning for the one stack")
        .hasSize(2);
  }

  private Observation openssl(Framework f) throws IOException {
    Observation o =
        OpenSslClient.handshake(servers.get(f).port(), pki.dir().resolve("root.pem"), "-tls1_3");
    notes.add(f.label() + " " + o.summary());
    return o;
  }

  private Observation jdk(Framework f, String protocol) {
    Observation o = JdkClient.handshake(servers.get(f).port(), pki, protocol);
    notes.add(f.label() + " " + o.summary());
    return o;
  }

  private Observation assertGood(Framework f, Observation o) {
    assertThat(o.goodStaple(Instant.now()))
        .as(
            "%s: expected a good staple from %s\n%s\n--- server log ---\n%s",
            f, o.client(), o, servers.get(f).tail())
        .isTrue();
    return o;
  }

  private void assertSameFastGoodStaple(
      Framework f, Observation o, Map<Framework, Instant> firstOfOutage) {
    assertGood(f, o);
    Instant thisUpdate = firstOfOutage.computeIfAbsent(f, k -> o.thisUpdate());
    assertThat(o.thisUpdate())
        .as("%s: the same staple all through the outage: %s", f, o)
        .isEqualTo(thisUpdate);
    assertThat(o.elapsed())
        .as("%s: handshake time of %s", f, o.summary())
        .isLessThan(ContainerStaplingIT.FAST_HANDSHAKE);
  }

  /** Waits a little for {@code text} to reach the server log. */
  private static void assertLogged(ChildJvm server, String text) throws InterruptedException {
    assertThat(server.awaitOutput(text, Duration.ofSeconds(5)))
        .as("server log %s contains %s", server.log(), text)
        .isTrue();
  }
}
