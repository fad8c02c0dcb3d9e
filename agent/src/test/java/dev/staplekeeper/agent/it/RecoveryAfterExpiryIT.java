package dev.staplekeeper.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.staplekeeper.testapps.checker.StapleChecker;
import dev.staplekeeper.testapps.checker.StapleVerdict;
import dev.staplekeeper.testapps.pki.TestPki;
import dev.staplekeeper.testapps.responder.FaultMode;
import dev.staplekeeper.testapps.responder.OcspResponder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Recovery after an expiry (issue 8, point 1), measured as an operator would: responses valid 20 s,
 * the responder fails (HTTP 500) from just after the first staple until 12 s after the held
 * response expired, then answers again; a handshake about every second throughout. Side by side, in
 * parallel and each against its own responder: the forked {@code jsse-server} with the agent
 * (default scheduling settings) and the same server without it (the stock JDK's stapling).
 * Measured: seconds from the responder answering again to the first valid staple, and responder
 * requests while the server had nothing valid to staple (the responder's own request count).
 */
class RecoveryAfterExpiryIT {
  static final Duration VALIDITY = Duration.ofSeconds(20);

  /** How long the responder stays down after the held response stopped being stapled. */
  static final Duration DOWN_AFTER_EXPIRY = Duration.ofSeconds(12);

  @TempDir Path dir;

  static Stream<Path> jdks() {
    return ServerProcess.jdks().stream();
  }

  /** What one run measured. */
  record Recovery(String who, double recoverySeconds, int requestsWhileExpired, double expiredFor) {
    @Override
    public String toString() {
      return String.format(
          "%s: valid staple %.1f s after the responder answered again; %d responder requests"
              + " during %.0f s with nothing valid to staple",
          who, recoverySeconds, requestsWhileExpired, expiredFor);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("jdks")
  void staplesAgainWithinSecondsOfTheResponderAnsweringAgainAfterAnExpiry(Path jdk)
      throws Exception {
    String name = ServerProcess.jdkName(jdk);
    CompletableFuture<Recovery> agent =
        CompletableFuture.supplyAsync(
            () ->
                run(
                    "agent-" + name,
                    jdk,
                    dir.resolve("agent"),
                    List.of("-javaagent:" + ServerProcess.agentJar())));
    CompletableFuture<Recovery> stock =
        CompletableFuture.supplyAsync(
            () ->
                run(
                    "stock-" + name,
                    jdk,
                    dir.resolve("stock"),
                    List.of("-Djdk.tls.server.enableStatusRequestExtension=true")));
    Recovery withAgent = agent.join();
    Recovery withoutAgent = stock.join();
    System.out.println(name + " recovery after an expiry:\n  " + withAgent + "\n  " + withoutAgent);

    assertThat(withAgent.recoverySeconds()).as("%s", withAgent).isLessThanOrEqualTo(10);
    // at most one request per 5 s (missRetryInterval) while it stays down, plus one in flight
    int bound = (int) (withAgent.expiredFor() / 5) + 2;
    assertThat(withAgent.requestsWhileExpired()).as("%s", withAgent).isBetween(1, bound);
    assertThat(withoutAgent.recoverySeconds()).as("control: %s", withoutAgent).isLessThan(10);
  }

  static Recovery run(String who, Path jdk, Path pkiDir, List<String> jvmArgs) {
    try {
      Files.createDirectories(pkiDir);
      try (OcspResponder responder = OcspResponder.bind(0)) {
        TestPki pki = TestPki.create(pkiDir, responder.url(), false);
        responder.start(pki, VALIDITY);
        try (ServerProcess server = ServerProcess.start("recovery-" + who, jdk, pkiDir, jvmArgs)) {
          StapleVerdict first = awaitStaple(server, pki, Duration.ofSeconds(20));
          responder.mode(FaultMode.HTTP_500);
          // the held response stops being stapled at its nextUpdate (the agent: 2 s before)
          Instant heldUntil = first.nextUpdate();
          Instant expiredSince = null;
          while (Instant.now().isBefore(heldUntil.plusSeconds(1))) {
            StapleVerdict r = handshake(server, pki);
            if (expiredSince == null && !r.validStaple()) {
              expiredSince = Instant.now();
              responder.resetCount();
            }
            Thread.sleep(1000);
          }
          if (expiredSince == null) {
            expiredSince = Instant.now();
            responder.resetCount();
          }
          Instant backAt = expiredSince.plus(DOWN_AFTER_EXPIRY);
          while (Instant.now().isBefore(backAt)) {
            StapleVerdict r = handshake(server, pki);
            assertThat(r.stapled() && !r.validStaple())
                .as("%s never staples an expired response: %s", who, r)
                .isFalse();
            Thread.sleep(1000);
          }
          int requests = responder.requestCount();
          double expiredFor = Duration.between(expiredSince, Instant.now()).toMillis() / 1000.0;
          responder.mode(FaultMode.HEALTHY);
          Instant healthy = Instant.now();
          Instant deadline = healthy.plusSeconds(30);
          while (Instant.now().isBefore(deadline)) {
            StapleVerdict r = handshake(server, pki);
            if (r.validStaple() && !r.thisUpdate().isBefore(first.nextUpdate())) {
              double secs = Duration.between(healthy, Instant.now()).toMillis() / 1000.0;
              return new Recovery(who, secs, requests, expiredFor);
            }
            Thread.sleep(1000);
          }
          return new Recovery(who, Double.POSITIVE_INFINITY, requests, expiredFor);
        }
      }
    } catch (Exception e) {
      throw new IllegalStateException(who + ": " + e, e);
    }
  }

  static StapleVerdict handshake(ServerProcess server, TestPki pki) throws Exception {
    return StapleChecker.check("127.0.0.1", server.port, "TLSv1.3", pki);
  }

  static StapleVerdict awaitStaple(ServerProcess server, TestPki pki, Duration timeout)
      throws Exception {
    Instant deadline = Instant.now().plus(timeout);
    while (true) {
      StapleVerdict r = handshake(server, pki);
      if (r.validStaple() || Instant.now().isAfter(deadline)) {
        assertThat(r.validStaple()).as("%s: first staple", server.name).isTrue();
        return r;
      }
      Thread.sleep(200);
    }
  }
}
