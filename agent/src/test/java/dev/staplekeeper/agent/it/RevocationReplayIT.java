package dev.staplekeeper.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.staplekeeper.testapps.pki.TestPki;
import dev.staplekeeper.testapps.process.ChildJvm;
import dev.staplekeeper.testapps.responder.FaultMode;
import dev.staplekeeper.testapps.responder.OcspResponder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9 point 2 end to end: the packaged agent in a forked server, the real responder behind an
 * on-path attacker. The responder answers good, then revoked (valid 6 s); the attacker then replays
 * the good response it captured (its thisUpdate before the revocation, still valid 40 s). Once the
 * revoked response has run out, {@code openssl s_client -status} sees revoked or no staple, never
 * good.
 */
class RevocationReplayIT {
  static final Duration GOOD_VALIDITY = Duration.ofSeconds(40);
  static final Duration REVOKED_VALIDITY = Duration.ofSeconds(6);

  @TempDir Path dir;

  /**
   * Forwards every OCSP request to the real responder, remembering the last answer; once {@link
   * #replay} is set, answers with those bytes instead, as an attacker on the plain-HTTP path can.
   */
  static final class ReplayingProxy implements AutoCloseable {
    final HttpServer http;
    final URI upstream;
    final AtomicInteger replayed = new AtomicInteger();
    volatile byte[] last;
    volatile byte[] replay;

    ReplayingProxy(URI upstream) throws IOException {
      this.upstream = upstream;
      http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
      http.createContext("/ocsp", this::handle);
      http.start();
    }

    private void handle(HttpExchange exchange) throws IOException {
      byte[] request;
      try (InputStream in = exchange.getRequestBody()) {
        request = in.readAllBytes();
      }
      byte[] answer = replay;
      if (answer != null) {
        replayed.incrementAndGet();
      } else {
        answer = forward(exchange.getRequestMethod(), exchange.getRequestURI(), request);
        last = answer;
      }
      exchange.getResponseHeaders().add("Content-Type", "application/ocsp-response");
      exchange.sendResponseHeaders(200, answer.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(answer);
      }
    }

    private byte[] forward(String method, URI uri, byte[] body) throws IOException {
      HttpURLConnection c =
          (HttpURLConnection) upstream.resolve(uri.getRawPath()).toURL().openConnection();
      c.setRequestMethod(method);
      c.setConnectTimeout(2000);
      c.setReadTimeout(2000);
      if (method.equals("POST")) {
        c.setDoOutput(true);
        c.setRequestProperty("Content-Type", "application/ocsp-request");
        try (OutputStream out = c.getOutputStream()) {
          out.write(body);
        }
      }
      try (InputStream in = c.getInputStream()) {
        return in.readAllBytes();
      } finally {
        c.disconnect();
      }
    }

    URI url() {
      return URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/ocsp");
    }

    @Override
    public void close() {
      http.stop(0);
    }
  }

  @Test
  void afterRevokedAReplayedOlderGoodIsNeverStapled() throws Exception {
    Path jdk = ForkedServer.jdks().get(ForkedServer.jdks().size() - 1);
    try (OcspResponder responder = OcspResponder.bind(0);
        ReplayingProxy proxy = new ReplayingProxy(responder.url())) {
      TestPki pki = TestPki.create(dir, proxy.url(), false);
      responder.start(pki, GOOD_VALIDITY);
      Path root = dir.resolve("root.pem");
      try (ChildJvm server =
          ForkedServer.start(
              "revocation-replay",
              jdk,
              dir,
              List.of(
                  "-javaagent:" + ForkedServer.agentJar(),
                  "-Dstaplekeeper.coldWait=5s",
                  "-Dstaplekeeper.refreshFraction=0.05",
                  "-Dstaplekeeper.refreshJitter=0",
                  "-Dstaplekeeper.retryInitialBackoff=200ms",
                  "-Dstaplekeeper.retryMaxBackoff=1s",
                  "-Dstaplekeeper.fetchTimeout=2s"))) {
        assertThat(awaitStatus(server.port(), root, "Cert Status: good"))
            .as("a good staple first")
            .contains("Cert Status: good");
        byte[] captured = proxy.last;
        assertThat(captured).as("the attacker captured a good response").isNotNull();

        responder.validity(REVOKED_VALIDITY);
        responder.mode(FaultMode.REVOKED);
        assertThat(awaitStatus(server.port(), root, "Cert Status: revoked"))
            .as("the revocation is stapled")
            .contains("Cert Status: revoked");

        proxy.replay = captured;
        long replayStarted = System.nanoTime();
        List<String> statuses = new ArrayList<>();
        // past the revoked response's 6 s, well inside the replayed good one's 40 s
        while (System.nanoTime() - replayStarted < Duration.ofSeconds(12).toNanos()) {
          String out = OpenSslClient.status(server.port(), "-tls1_3", root);
          assertThat(out).contains("Verify return code: 0 (ok)");
          assertThat(out)
              .as("after %d ms of replay", (System.nanoTime() - replayStarted) / 1_000_000)
              .doesNotContain("Cert Status: good");
          statuses.add(status(out));
          Thread.sleep(500);
        }
        assertThat(proxy.replayed.get()).as("the replay reached the agent").isGreaterThan(0);
        assertThat(statuses.get(statuses.size() - 1))
            .as("the revoked response ran out: no staple (%s)", statuses)
            .isEqualTo("none");
        assertThat(server.output())
            .contains("not newer than the REVOKED one already accepted")
            .contains("a revocation is never rolled back");
      }
    }
  }

  /** openssl's output once it contains {@code wanted}, or the last output after 20 s. */
  static String awaitStatus(int port, Path root, String wanted) throws Exception {
    String seen = "";
    long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!seen.contains(wanted) && System.nanoTime() < until) {
      seen = OpenSslClient.status(port, "-tls1_3", root);
    }
    return seen;
  }

  static String status(String openssl) {
    if (openssl.contains("OCSP response: no response sent")) {
      return "none";
    }
    if (openssl.contains("Cert Status: revoked")) {
      return "revoked";
    }
    return openssl.contains("Cert Status: good") ? "good" : "other";
  }
}
