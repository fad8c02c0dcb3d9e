package dev.staplekeeper.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.staplekeeper.agent.testproc.Daemon;
import dev.staplekeeper.agent.testproc.Nginx;
import dev.staplekeeper.agent.testproc.Tinyproxy;
import dev.staplekeeper.testapps.checker.StapleChecker;
import dev.staplekeeper.testapps.checker.StapleVerdict;
import dev.staplekeeper.testapps.pki.TestPki;
import dev.staplekeeper.testapps.responder.OcspResponder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A forked JSSE server with the packaged agent whose JVM must reach the responder through an HTTP
 * proxy ({@code http.proxyHost}/{@code http.proxyPort}): a real tinyproxy carries the requests, and
 * when the proxy goes down, asks for credentials (407) or answers 502 (a real nginx whose upstream
 * is gone), the agent logs a line naming the proxy and what it said while every handshake keeps the
 * last good staple.
 */
class ProxyIT {
  /**
   * Long enough for the whole test on a loaded machine; refreshed 6 s after thisUpdate
   * (refreshFraction 0.05), so a first fetch slowed by load still lands before that point.
   */
  static final Duration VALIDITY = Duration.ofSeconds(120);

  @TempDir Path dir;

  static Stream<Path> jdks() {
    return ServerProcess.jdks().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("jdks")
  void staplesThroughTheJvmsProxyAndKeepsTheLastGoodResponseWhenTheProxyFails(Path jdk)
      throws Exception {
    Daemon.require("tinyproxy", "tinyproxy");
    Daemon.require("nginx", "nginx-light");
    int port = Daemon.freePort();
    String name = "127.0.0.1:" + port;
    try (OcspResponder responder = OcspResponder.bind(0)) {
      TestPki pki = TestPki.create(dir, responder.url(), false);
      responder.start(pki, VALIDITY);
      Tinyproxy proxy = Tinyproxy.start(dir.resolve("tinyproxy"), port, "");
      try (ServerProcess server =
          ServerProcess.start(
              "proxy-" + ServerProcess.jdkName(jdk),
              jdk,
              dir,
              agentArgs(
                  "-Dhttp.proxyHost=127.0.0.1",
                  "-Dhttp.proxyPort=" + port,
                  // empty: not even loopback bypasses the proxy (the JDK's default list has 127.*)
                  "-Dhttp.nonProxyHosts="))) {
        awaitValidStaple(server, pki, "through the proxy");
        assertThat(proxy.log())
            .as("tinyproxy's own log")
            .contains("Request (file descriptor")
            .contains("GET " + responder.url() + "/");
        int answered = responder.requestCount();
        assertThat(answered).isPositive();

        proxy.close();
        awaitLine(server, "connection refused by proxy " + name, pki);

        try (Tinyproxy auth =
            Tinyproxy.start(
                dir.resolve("tinyproxy-407"), port, "BasicAuth staplekeeper secret\n")) {
          awaitLine(server, "proxy " + name + " refused: answered HTTP 407", pki);
          assertThat(auth.log()).contains("GET " + responder.url() + "/");
        }

        int deadUpstream = Daemon.freePort();
        try (Nginx gateway =
            Nginx.start(
                dir.resolve("nginx-502"),
                port,
                "server { listen "
                    + name
                    + "; location / { proxy_pass http://127.0.0.1:"
                    + deadUpstream
                    + "; } }")) {
          awaitLine(server, "answered HTTP 502 Bad Gateway (Server: nginx", pki);
          assertThat(server.output()).contains("(via HTTP proxy " + name + ")");
          assertThat(gateway.accessLog()).contains(" 502 ");
        }
        assertThat(responder.requestCount())
            .as("no request reached the responder while the proxy failed")
            .isEqualTo(answered);
      } finally {
        proxy.close();
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("jdks")
  void theProxySettingOverridesTheJvmsProxyForOcspAlone(Path jdk) throws Exception {
    int port = Daemon.freePort();
    int dead = Daemon.freePort();
    try (OcspResponder responder = OcspResponder.bind(0);
        Tinyproxy proxy = Tinyproxy.start(dir.resolve("tinyproxy"), port, "")) {
      TestPki pki = TestPki.create(dir, responder.url(), false);
      responder.start(pki, VALIDITY);
      try (ServerProcess server =
          ServerProcess.start(
              "proxy-setting-" + ServerProcess.jdkName(jdk),
              jdk,
              dir,
              agentArgs(
                  "-Dhttp.proxyHost=127.0.0.1",
                  "-Dhttp.proxyPort=" + dead,
                  "-Dhttp.nonProxyHosts=",
                  "-Dstaplekeeper.proxy=127.0.0.1:" + port))) {
        awaitValidStaple(server, pki, "through the proxy setting");
        assertThat(proxy.log()).contains("GET " + responder.url() + "/");
        assertThat(server.output()).doesNotContain("connection refused by proxy");
      }
    }
  }

  /**
   * The outage test's settings, with a fetch deadline that a cold JVM's first request through a
   * proxy meets even on a loaded machine (proxy failures here are answered at once).
   */
  private static List<String> agentArgs(String... extra) {
    List<String> args = new ArrayList<>(ResponderOutageIT.agentArgs(extra));
    args.add("-Dstaplekeeper.fetchTimeout=5s");
    return args;
  }

  /** The first staple: usually on the first handshake, but a loaded machine may need a retry. */
  static void awaitValidStaple(ServerProcess server, TestPki pki, String when) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    StapleVerdict r = StapleChecker.check("127.0.0.1", server.port, "TLSv1.3", pki);
    while (!(r.validStaple() && "good".equals(r.certStatus())) && System.nanoTime() < end) {
      Thread.sleep(200);
      r = StapleChecker.check("127.0.0.1", server.port, "TLSv1.3", pki);
    }
    assertThat(r.validStaple() && "good".equals(r.certStatus()))
        .as("%s within 20 s: %s\n%s", when, r, server.output())
        .isTrue();
  }

  private static void assertValidStaple(ServerProcess server, TestPki pki, String when)
      throws Exception {
    StapleVerdict r = StapleChecker.check("127.0.0.1", server.port, "TLSv1.3", pki);
    assertThat(r.validStaple() && "good".equals(r.certStatus())).as("%s: %s", when, r).isTrue();
  }

  /** Waits for {@code text} in the server's log while checking that every handshake is stapled. */
  private static void awaitLine(ServerProcess server, String text, TestPki pki) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!server.output().contains(text)) {
      assertThat(System.nanoTime() < end)
          .as("agent log line containing '%s' within 30 s; output:\n%s", text, server.output())
          .isTrue();
      assertValidStaple(server, pki, "while waiting for '" + text + "'");
      Thread.sleep(200);
    }
    assertThat(server.output()).contains("failed (attempt");
    assertValidStaple(server, pki, "after '" + text + "'");
  }
}
