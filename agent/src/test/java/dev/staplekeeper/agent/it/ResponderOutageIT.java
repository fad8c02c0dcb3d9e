package dev.staplekeeper.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.staplekeeper.testapps.checker.StapleChecker;
import dev.staplekeeper.testapps.checker.StapleVerdict;
import dev.staplekeeper.testapps.pki.TestPki;
import dev.staplekeeper.testapps.process.ChildJvm;
import dev.staplekeeper.testapps.responder.FaultMode;
import dev.staplekeeper.testapps.responder.OcspResponder;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A forked JSSE server with the packaged agent, on JDK 17 and JDK 25, against a real HTTP OCSP
 * responder switched through every fault. Responses are valid 30 s and refreshed every 1.5 s, so
 * each fault hits a refresh (and its retries) while the test watches every handshake.
 */
class ResponderOutageIT {
  static final Duration VALIDITY = Duration.ofSeconds(30);
  static final Duration FAULT = Duration.ofSeconds(3);
  static final List<FaultMode> FAULTS =
      List.of(
          FaultMode.DOWN,
          FaultMode.HANG,
          FaultMode.UNAUTHORIZED,
          FaultMode.TRY_LATER,
          FaultMode.INTERNAL_ERROR,
          FaultMode.MALFORMED_REQUEST,
          FaultMode.SIG_REQUIRED,
          FaultMode.GARBAGE,
          FaultMode.HTTP_500,
          FaultMode.SLOW,
          FaultMode.EXPIRED,
          FaultMode.FUTURE,
          FaultMode.NO_NEXT_UPDATE,
          FaultMode.UNKNOWN,
          FaultMode.WRONG_SIGNER,
          FaultMode.WRONG_CERT_ID,
          FaultMode.DELEGATED_NO_EKU,
          FaultMode.OVERSIZED);

  @TempDir Path dir;

  static Stream<Path> jdks() {
    return ForkedServer.jdks().stream();
  }

  static List<String> agentArgs(String... extra) {
    List<String> args = new ArrayList<>();
    args.add("-javaagent:" + ForkedServer.agentJar());
    args.add("-Dstaplekeeper.refreshFraction=0.05");
    args.add("-Dstaplekeeper.refreshJitter=0");
    args.add("-Dstaplekeeper.retryInitialBackoff=200ms");
    args.add("-Dstaplekeeper.retryMaxBackoff=1s");
    args.add("-Dstaplekeeper.fetchTimeout=1s");
    args.add("-Dstaplekeeper.coldWait=2s");
    args.addAll(List.of(extra));
    return args;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("jdks")
  void everyHandshakeKeepsAValidStapleThroughEveryResponderFault(Path jdk) throws Exception {
    try (OcspResponder responder = OcspResponder.bind(0)) {
      TestPki pki = TestPki.create(dir, responder.url(), true);
      responder.start(pki, VALIDITY);
      responder.slowDelay(Duration.ofSeconds(2)); // beyond the 1 s fetch timeout
      try (ChildJvm server =
          ForkedServer.start("outage-" + ForkedServer.jdkName(jdk), jdk, dir, agentArgs())) {
        assertThat(server.awaitOutput("active on Java", Duration.ofSeconds(20))).isTrue();

        StapleVerdict first = StapleChecker.check("127.0.0.1", server.port(), "TLSv1.3", pki);
        assertThat(first.validStaple()).as("first handshake: %s", first).isTrue();

        List<String> timeline = new ArrayList<>();
        for (FaultMode fault : FAULTS) {
          awaitFreshStaple(pki, server.port(), responder);
          responder.mode(fault);
          responder.resetCount();
          Instant end = Instant.now().plus(FAULT);
          int handshakes = 0;
          long slowest = 0;
          while (Instant.now().isBefore(end)) {
            String protocol = handshakes % 2 == 0 ? "TLSv1.2" : "TLSv1.3";
            StapleVerdict r = StapleChecker.check("127.0.0.1", server.port(), protocol, pki);
            assertThat(r.validStaple() && "good".equals(r.certStatus()))
                .as("%s during %s, handshake %d: %s", jdk.getFileName(), fault, handshakes, r)
                .isTrue();
            slowest = Math.max(slowest, r.handshakeMillis());
            handshakes++;
            Thread.sleep(100);
          }
          String openssl =
              OpenSslClient.status(
                  server.port(),
                  FAULTS.indexOf(fault) % 2 == 0 ? "-tls1_2" : "-tls1_3",
                  pki.dir().resolve("root.pem"));
          assertThat(openssl)
              .as("openssl during %s", fault)
              .contains("OCSP Response Status: successful")
              .contains("Cert Status: good");
          int requests = responder.requestCount();
          timeline.add(
              fault
                  + ": "
                  + handshakes
                  + " handshakes stapled, slowest "
                  + slowest
                  + " ms, "
                  + requests
                  + " responder requests");
          assertThat(slowest).as("handshake time during %s", fault).isLessThan(1000);
          // backoff 200ms..1s over 3 s: a handful of requests, never one per handshake
          assertThat(requests).as("responder requests during %s", fault).isLessThanOrEqualTo(8);
          if (fault != FaultMode.DOWN) {
            assertThat(requests).as("the agent did ask during %s", fault).isPositive();
          }
        }
        responder.mode(FaultMode.HEALTHY);
        System.out.println(
            jdk.getFileName() + " outage timeline:\n  " + String.join("\n  ", timeline));
        assertThat(server.output())
            .contains("failed (attempt")
            .doesNotContain("Exception in thread");
      }
    }
  }

  /** Waits until the server staples a response signed after the responder became healthy. */
  static void awaitFreshStaple(TestPki pki, int port, OcspResponder responder) throws Exception {
    responder.mode(FaultMode.HEALTHY);
    Instant healthySince = Instant.now().minusSeconds(1);
    Instant deadline = Instant.now().plusSeconds(10);
    while (Instant.now().isBefore(deadline)) {
      StapleVerdict r = StapleChecker.check("127.0.0.1", port, "TLSv1.3", pki);
      if (r.stapled()
          && !r.thisUpdate()
              .isBefore(healthySince.truncatedTo(java.time.temporal.ChronoUnit.SECONDS))) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("no fresh staple within 10 s of the responder becoming healthy");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("jdks")
  void neverStaplesAResponsePastItsNextUpdate(Path jdk) throws Exception {
    try (OcspResponder responder = OcspResponder.bind(0)) {
      TestPki pki = TestPki.create(dir, responder.url(), false);
      responder.start(pki, Duration.ofSeconds(6));
      try (ChildJvm server =
          ForkedServer.start(
              "expiry-" + ForkedServer.jdkName(jdk),
              jdk,
              dir,
              agentArgs("-Dstaplekeeper.refreshFraction=0.5"))) {
        assertThat(StapleChecker.check("127.0.0.1", server.port(), "TLSv1.3", pki).stapled())
            .isTrue();
        responder.mode(FaultMode.UNAUTHORIZED);
        StapleVerdict held = StapleChecker.check("127.0.0.1", server.port(), "TLSv1.3", pki);
        assertThat(held.validStaple()).as("%s", held).isTrue();
        Instant end = held.nextUpdate().plusSeconds(2);
        boolean sawNone = false;
        while (Instant.now().isBefore(end)) {
          StapleVerdict r = StapleChecker.check("127.0.0.1", server.port(), "TLSv1.2", pki);
          Instant now = Instant.now();
          if (r.stapled()) {
            assertThat(r.validStaple() && "good".equals(r.certStatus()))
                .as("stapled at %s: %s", now, r)
                .isTrue();
          } else {
            sawNone = true;
            assertThat(now)
                .as("staple dropped only once expired")
                .isAfterOrEqualTo(held.nextUpdate().minusMillis(1500));
          }
          Thread.sleep(150);
        }
        assertThat(sawNone).as("the expired response stopped being stapled").isTrue();
        responder.mode(FaultMode.HEALTHY);
        awaitFreshStaple(pki, server.port(), responder);
      }
    }
  }
}
