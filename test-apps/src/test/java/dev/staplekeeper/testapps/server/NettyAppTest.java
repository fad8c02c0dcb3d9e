package dev.staplekeeper.testapps.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.staplekeeper.testapps.checker.StapleChecker;
import dev.staplekeeper.testapps.checker.StapleVerdict;
import dev.staplekeeper.testapps.pki.TestPki;
import dev.staplekeeper.testapps.responder.OcspResponder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Netty's JDK provider is a JSSE {@code SSLEngine}: with the JDK's server stapling on, its
 * handshakes carry the JDK's staple, so they go through {@code StatusResponseManager} (which the
 * agent takes over). Netty's OpenSSL provider (netty-tcnative) never does.
 */
class NettyAppTest {
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

  private static NettyApp startWithJdkStapling(SslProvider provider) throws IOException {
    System.setProperty(SERVER_STAPLING, "true"); // read when the SSLContext is created
    try {
      return NettyApp.start(pki.keystore(), TestPki.PASSWORD.toCharArray(), 0, provider);
    } finally {
      System.clearProperty(SERVER_STAPLING);
    }
  }

  @Test
  void theJdkProviderStaplesThroughTheJdksStatusResponseManager() throws Exception {
    try (NettyApp server = startWithJdkStapling(SslProvider.JDK)) {
      for (String protocol : new String[] {"TLSv1.3", "TLSv1.2"}) {
        StapleVerdict check = StapleChecker.check("127.0.0.1", server.port(), protocol, pki);
        assertThat(check.httpStatus()).isEqualTo(200);
        assertThat(check.validStaple()).as(check.line()).isTrue();
      }
    }
  }

  @Test
  void theOpenSslProviderServesTlsWithoutAStaple() throws Exception {
    try (NettyApp server = startWithJdkStapling(SslProvider.OPENSSL)) {
      StapleVerdict check = StapleChecker.check("127.0.0.1", server.port(), "TLSv1.3", pki);
      assertThat(check.httpStatus()).isEqualTo(200);
      assertThat(check.stapled()).as(check.line()).isFalse();
    }
  }
}
