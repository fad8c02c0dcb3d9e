package dev.staplekeeper.agent.ocsp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.staplekeeper.agent.testproc.Daemon;
import dev.staplekeeper.agent.testproc.Nginx;
import dev.staplekeeper.agent.testproc.Tinyproxy;
import dev.staplekeeper.testapps.pki.TestPki;
import dev.staplekeeper.testapps.responder.OcspResponder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fetcher through real forward proxies (tinyproxy; nginx for a 502) in front of the real
 * bundled responder: the JVM's proxy selector or the fixed proxy is used, and every proxy failure
 * names the proxy and what it said.
 */
class OcspFetcherProxyTest {
  @TempDir static Path dir;
  static OcspResponder responder;
  static TestPki pki;
  static CertId id;
  static Tinyproxy proxy;

  private final OcspFetcher fetcher =
      new OcspFetcher(Duration.ofSeconds(1), Duration.ofSeconds(3), 64 * 1024);
  private final ResponseValidator validator = new ResponseValidator(Duration.ofMinutes(5));

  @BeforeAll
  static void start() throws Exception {
    responder = OcspResponder.bind(0);
    pki = TestPki.create(dir, responder.url(), false);
    responder.start(pki, Duration.ofMinutes(10));
    id = CertId.of(pki.server(), pki.intermediate());
    proxy = Tinyproxy.start(dir.resolve("tinyproxy"), Daemon.freePort(), "");
  }

  @AfterAll
  static void stop() {
    if (proxy != null) {
      proxy.close();
    }
    responder.close();
  }

  private static Proxy http(int port) {
    return new Proxy(Proxy.Type.HTTP, new InetSocketAddress("127.0.0.1", port));
  }

  private ValidatedResponse validate(byte[] der) throws InvalidResponseException {
    return validator.validate(der, id, pki.intermediate(), Instant.now());
  }

  private FetchException failure(OcspFetcher f) {
    FetchException e =
        catchThrowableOfType(FetchException.class, () -> f.fetch(responder.url(), id));
    assertThat(e).as("fetch failure").isNotNull();
    return e;
  }

  private static int requestsIn(String log) {
    return log.split("Request \\(file descriptor").length - 1;
  }

  @Test
  void goesThroughTheProxyTheJvmsSelectorPicks() throws Exception {
    ProxySelector saved = ProxySelector.getDefault();
    List<URI> asked = new CopyOnWriteArrayList<>();
    int before = requestsIn(proxy.log());
    ProxySelector.setDefault(
        new ProxySelector() {
          @Override
          public List<Proxy> select(URI uri) {
            asked.add(uri);
            return List.of(http(proxy.port()));
          }

          @Override
          public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {}
        });
    try {
      assertThat(validate(fetcher.fetch(responder.url(), id)).status())
          .isEqualTo(ValidatedResponse.Status.GOOD);
    } finally {
      ProxySelector.setDefault(saved);
    }

    assertThat(asked).hasSize(1);
    assertThat(asked.get(0).toString()).startsWith(responder.url() + "/");
    assertThat(requestsIn(proxy.log())).isEqualTo(before + 1);
    assertThat(proxy.log()).contains("GET " + responder.url() + "/");
  }

  @Test
  void triesTheSelectorsNextProxyWhenTheFirstRefusesTheConnection() throws Exception {
    ProxySelector saved = ProxySelector.getDefault();
    int dead = Daemon.freePort();
    List<SocketAddress> failed = new CopyOnWriteArrayList<>();
    ProxySelector.setDefault(
        new ProxySelector() {
          @Override
          public List<Proxy> select(URI uri) {
            return List.of(http(dead), http(proxy.port()));
          }

          @Override
          public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {
            failed.add(sa);
          }
        });
    try {
      assertThat(validate(fetcher.fetch(responder.url(), id)).status())
          .isEqualTo(ValidatedResponse.Status.GOOD);
    } finally {
      ProxySelector.setDefault(saved);
    }
    assertThat(failed).containsExactly(new InetSocketAddress("127.0.0.1", dead));
  }

  @Test
  void theFixedProxyOverridesTheJvmsSelector() throws Exception {
    ProxySelector saved = ProxySelector.getDefault();
    int before = requestsIn(proxy.log());
    ProxySelector.setDefault(ProxySelector.of(new InetSocketAddress("127.0.0.1", 1)));
    try {
      assertThat(
              validate(fetcher.withProxy(http(proxy.port())).fetch(responder.url(), id)).status())
          .isEqualTo(ValidatedResponse.Status.GOOD);
      int through = requestsIn(proxy.log());
      assertThat(through).isEqualTo(before + 1);

      assertThat(validate(fetcher.withProxy(Proxy.NO_PROXY).fetch(responder.url(), id)).status())
          .as("direct")
          .isEqualTo(ValidatedResponse.Status.GOOD);
      assertThat(requestsIn(proxy.log())).isEqualTo(through);
    } finally {
      ProxySelector.setDefault(saved);
    }
  }

  @Test
  void aProxyThatIsDownIsNamed() throws Exception {
    int dead = Daemon.freePort();

    FetchException e = failure(fetcher.withProxy(http(dead)));

    assertThat(e.kind()).isEqualTo(FetchException.Kind.CONNECT_REFUSED);
    assertThat(e.getMessage())
        .contains("connection refused by proxy 127.0.0.1:" + dead)
        .contains("is the proxy running?");
  }

  @Test
  void aProxyAskingForCredentialsIsNamedWithWhatItSaid() throws Exception {
    int port = Daemon.freePort();
    try (Tinyproxy auth =
        Tinyproxy.start(dir.resolve("tinyproxy-407"), port, "BasicAuth staplekeeper secret\n")) {
      FetchException e = failure(fetcher.withProxy(http(port)));

      assertThat(e.kind()).isEqualTo(FetchException.Kind.HTTP_STATUS);
      assertThat(e.getMessage())
          .contains("proxy 127.0.0.1:" + port + " refused: answered HTTP 407")
          .contains("Proxy-Authenticate: Basic");
      assertThat(auth.log()).contains("GET " + responder.url() + "/");
    }
  }

  @Test
  void aProxyAnsweringBadGatewayIsNamedWithWhatItSaid() throws Exception {
    int port = Daemon.freePort();
    int deadUpstream = Daemon.freePort();
    try (Nginx gateway =
        Nginx.start(
            dir.resolve("nginx-502"),
            port,
            "server { listen 127.0.0.1:"
                + port
                + "; location / { proxy_pass http://127.0.0.1:"
                + deadUpstream
                + "; } }")) {
      FetchException e = failure(fetcher.withProxy(http(port)));

      assertThat(e.kind()).isEqualTo(FetchException.Kind.HTTP_STATUS);
      assertThat(e.getMessage())
          .contains("answered HTTP 502 Bad Gateway (Server: nginx")
          .contains("via HTTP proxy 127.0.0.1:" + port);
      assertThat(gateway.accessLog()).contains(" 502 ");
    }
  }
}
