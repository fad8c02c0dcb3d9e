package dev.staplekeeper.testapps.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.staplekeeper.testapps.checker.StapleChecker;
import dev.staplekeeper.testapps.checker.StapleVerdict;
import dev.staplekeeper.testapps.pki.TestPki;
import dev.staplekeeper.testapps.responder.OcspResponder;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Real handshakes against each server, without and with the JDK's own stapling. */
class TestServersTest {
  private static final String SERVER_STAPLING = "jdk.tls.server.enableStatusRequestExtension";

  @TempDir static Path dir;
  static OcspResponder responder;
  static TestPki pki;

  @BeforeAll
  static void start() throws IOException {
    responder = OcspResponder.startWithNewPki(dir, false, Duration.ofMinutes(2));
    pki = responder.pki();
  }

  @AfterAll
  static void stop() {
    responder.close();
  }

  @ParameterizedTest
  @EnumSource(TestServer.Kind.class)
  void servesHttpsWithoutStaplingByDefault(TestServer.Kind kind) throws Exception {
    responder.resetCount();
    try (TestServer server = kind.start(pki, 0)) {
      assertThat(server.port()).isPositive();
      for (String protocol : new String[] {"TLSv1.2", "TLSv1.3"}) {
        StapleVerdict check = StapleChecker.check("127.0.0.1", server.port(), protocol, pki);
        assertThat(check.protocol()).isEqualTo(protocol);
        assertThat(check.httpStatus()).isEqualTo(200);
        assertThat(check.stapled()).isFalse();
        assertThat(check.validStaple()).isFalse();
      }
    }
    assertThat(responder.requestCount()).isZero();
  }

  @ParameterizedTest
  @EnumSource(TestServer.Kind.class)
  void jdkStaplingWorksThroughTheServerWhenEnabled(TestServer.Kind kind) throws Exception {
    responder.resetCount();
    TestServer server;
    System.setProperty(SERVER_STAPLING, "true"); // read when the server's SSLContext is created
    try {
      server = kind.start(pki, 0);
    } finally {
      System.clearProperty(SERVER_STAPLING);
    }
    try (server) {
      for (String protocol : new String[] {"TLSv1.3", "TLSv1.2"}) {
        StapleVerdict check = StapleChecker.check("127.0.0.1", server.port(), protocol, pki);
        assertThat(check.httpStatus()).isEqualTo(200);
        assertThat(check.stapled()).as(check.line()).isTrue();
        assertThat(check.validStaple()).as(check.line()).isTrue();
        assertThat(check.certStatus()).isEqualTo("good");
        assertThat(check.signer()).isEqualTo("delegated");
        assertThat(check.secondsLeft()).isBetween(100L, 120L);
      }
    }
    assertThat(responder.requestCount()).isGreaterThanOrEqualTo(1);
  }
}
