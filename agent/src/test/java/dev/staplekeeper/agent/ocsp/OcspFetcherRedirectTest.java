package dev.staplekeeper.agent.ocsp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.staplekeeper.agent.testproc.Daemon;
import dev.staplekeeper.agent.testproc.Nginx;
import dev.staplekeeper.testapps.checker.StapleChecker;
import dev.staplekeeper.testapps.pki.Pem;
import dev.staplekeeper.testapps.pki.TestPki;
import dev.staplekeeper.testapps.responder.FaultMode;
import dev.staplekeeper.testapps.responder.OcspResponder;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Redirects served by a real nginx (plain HTTP and TLS) in front of the real bundled responder:
 * http to http, http to https and https to https are followed (at most {@value
 * OcspFetcher#MAX_REDIRECTS}), https to http never, all within the one deadline.
 */
class OcspFetcherRedirectTest {
  private static final Duration DEADLINE = Duration.ofMillis(1500);

  @TempDir static Path dir;
  static OcspResponder responder;
  static TestPki pki;
  static CertId id;
  static Nginx nginx;
  static int http;
  static int https;
  static SSLSocketFactory savedFactory;

  private final OcspFetcher fetcher = new OcspFetcher(Duration.ofMillis(1000), DEADLINE, 64 * 1024);
  private final ResponseValidator validator = new ResponseValidator(Duration.ofMinutes(5));

  @BeforeAll
  static void start() throws Exception {
    responder = OcspResponder.bind(0);
    pki = TestPki.create(dir, responder.url(), false);
    responder.start(pki, Duration.ofMinutes(10));
    id = CertId.of(pki.server(), pki.intermediate());
    // The fetcher uses the JVM's default TLS setup, like the JDK's client; trust the test root.
    savedFactory = HttpsURLConnection.getDefaultSSLSocketFactory();
    HttpsURLConnection.setDefaultSSLSocketFactory(
        StapleChecker.clientContext(pki.root()).getSocketFactory());

    Path n = dir.resolve("nginx");
    Files.createDirectories(n);
    Files.writeString(n.resolve("chain.pem"), Pem.certificates(pki.server(), pki.intermediate()));
    Files.writeString(n.resolve("key.pem"), Pem.privateKey(pki.serverKey()));
    http = Daemon.freePort();
    https = Daemon.freePort();
    String r = "127.0.0.1:" + responder.url().getPort();
    String h = "127.0.0.1:" + http;
    String s = "127.0.0.1:" + https;
    nginx =
        Nginx.start(
            n,
            http,
            // $rest: the raw rest of the path after the first segment (the encoded GET request).
            "map $request_uri $rest { \"~^/[a-z0-9]+(?<tail>/.*)$\" $tail; default \"\"; }\n"
                + "server { listen "
                + h
                + ";\n"
                + "  location ^~ /hop1 { return 307 http://"
                + h
                + "/hop2$rest; }\n"
                + "  location ^~ /hop2 { return 302 http://"
                + r
                + "/ocsp$rest; }\n"
                + "  location ^~ /tohttps { return 301 https://"
                + s
                + "/shop$rest; }\n"
                + "  location ^~ /loop { return 302 /loop$rest; }\n"
                + "}\n"
                + "server { listen "
                + s
                + " ssl;\n"
                + "  ssl_certificate "
                + n.resolve("chain.pem")
                + "; ssl_certificate_key "
                + n.resolve("key.pem")
                + ";\n"
                + "  location ^~ /shop { return 308 https://"
                + s
                + "/sprx$rest; }\n"
                + "  location ^~ /sprx { proxy_pass http://"
                + r
                + "/ocsp$rest; }\n"
                + "  location ^~ /tohttp { return 302 http://"
                + r
                + "/ocsp$rest; }\n"
                + "}\n");
  }

  @AfterAll
  static void stop() {
    HttpsURLConnection.setDefaultSSLSocketFactory(savedFactory);
    if (nginx != null) {
      nginx.close();
    }
    responder.close();
  }

  @AfterEach
  void healthy() {
    responder.mode(FaultMode.HEALTHY);
    responder.resetCount();
  }

  private ValidatedResponse fetchAndValidate(OcspFetcher f, String uri) throws Exception {
    byte[] der = f.fetch(URI.create(uri), id);
    return validator.validate(der, id, pki.intermediate(), Instant.now());
  }

  private FetchException failure(OcspFetcher f, String uri) {
    FetchException e =
        catchThrowableOfType(FetchException.class, () -> f.fetch(URI.create(uri), id));
    assertThat(e).as("fetch failure").isNotNull();
    assertThat(e.uri()).isEqualTo(URI.create(uri));
    return e;
  }

  @Test
  void followsHttpToHttpRedirectsOfAGet() throws Exception {
    assertThat(fetchAndValidate(fetcher, "http://127.0.0.1:" + http + "/hop1").status())
        .isEqualTo(ValidatedResponse.Status.GOOD);

    assertThat(nginx.accessLog()).contains("GET /hop1/").contains("GET /hop2/");
    assertThat(responder.requestCount()).isEqualTo(1);
  }

  @Test
  void followsHttpToHttpRedirectsOfAPostWithItsBody() throws Exception {
    assertThat(
            fetchAndValidate(fetcher.withPostOnly(true), "http://127.0.0.1:" + http + "/hop1")
                .status())
        .isEqualTo(ValidatedResponse.Status.GOOD);

    assertThat(nginx.accessLog()).contains("POST /hop1 307").contains("POST /hop2 302");
  }

  @Test
  void followsHttpToHttpsAndHttpsToHttps() throws Exception {
    assertThat(fetchAndValidate(fetcher, "http://127.0.0.1:" + http + "/tohttps").status())
        .isEqualTo(ValidatedResponse.Status.GOOD);

    assertThat(nginx.accessLog())
        .contains("GET /tohttps/")
        .contains("GET /shop/")
        .contains("GET /sprx/");
  }

  @Test
  void neverFollowsHttpsToHttpAndSaysWhere() {
    FetchException e = failure(fetcher, "https://127.0.0.1:" + https + "/tohttp");

    assertThat(e.kind()).isEqualTo(FetchException.Kind.HTTP_STATUS);
    assertThat(e.getMessage())
        .contains("answered HTTP 302 redirecting to http://127.0.0.1:" + responder.url().getPort())
        .contains("not followed");
    assertThat(responder.requestCount()).isZero();
  }

  @Test
  void stopsAfterThreeRedirectsAndSaysWhereTheChainEnded() {
    String loop = "http://127.0.0.1:" + http + "/loop";

    FetchException e = failure(fetcher, loop);

    assertThat(e.kind()).isEqualTo(FetchException.Kind.HTTP_STATUS);
    assertThat(e.getMessage())
        .contains("more than 3 redirects; the chain " + loop + "/")
        .contains(" -> " + loop + "/")
        .contains("ended with HTTP 302 pointing on to " + loop + "/");
    assertThat(e.getMessage().split(" -> ")).hasSize(4);
  }

  @Test
  void theWholeChainSharesOneDeadline() {
    responder.mode(FaultMode.HANG);

    long start = System.nanoTime();
    FetchException e = failure(fetcher, "http://127.0.0.1:" + http + "/hop1");

    assertThat(e.kind()).isEqualTo(FetchException.Kind.TIMEOUT);
    assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(DEADLINE.toMillis() + 1500);
    assertThat(e.getMessage())
        .contains("deadline of 1500 ms")
        .contains("at the end of the redirect chain http://127.0.0.1:" + http + "/hop1/");
  }
}
