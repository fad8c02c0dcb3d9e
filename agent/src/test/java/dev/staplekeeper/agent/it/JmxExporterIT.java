package dev.staplekeeper.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.staplekeeper.testapps.checker.StapleChecker;
import dev.staplekeeper.testapps.pki.TestPki;
import dev.staplekeeper.testapps.process.ChildJvm;
import dev.staplekeeper.testapps.responder.FaultMode;
import dev.staplekeeper.testapps.responder.OcspResponder;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A server with StapleKeeper and the official jmx_exporter javaagent configured with the shipped
 * docs/monitoring/jmx_exporter.yaml: {@code /metrics} over HTTP has the staple gauges and counters
 * with their values, and they move when the responder fails and recovers.
 */
class JmxExporterIT {
  @TempDir Path dir;

  static Stream<Path> jdks() {
    return ForkedServer.jdks().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("jdks")
  void metricsFollowTheStapleThroughAnOutage(Path jdk) throws Exception {
    Path exporter = Path.of(System.getProperty("staplekeeper.jmxexporter.jar"));
    Path config = AlertRulesIT.monitoring().resolve("jmx_exporter.yaml");
    assertThat(exporter).exists();
    int metricsPort;
    try (ServerSocket s = new ServerSocket(0)) {
      metricsPort = s.getLocalPort();
    }
    try (OcspResponder responder = OcspResponder.bind(0)) {
      TestPki pki = TestPki.create(dir, responder.url(), false);
      responder.start(pki, Duration.ofMinutes(2));
      try (ChildJvm server =
          ForkedServer.start(
              "jmx-exporter-" + ForkedServer.jdkName(jdk),
              jdk,
              dir,
              List.of(
                  "-javaagent:" + ForkedServer.agentJar(),
                  "-javaagent:" + exporter + "=127.0.0.1:" + metricsPort + ":" + config,
                  "-Dstaplekeeper.refreshFraction=0.05",
                  "-Dstaplekeeper.refreshJitter=0",
                  "-Dstaplekeeper.retryInitialBackoff=1s",
                  "-Dstaplekeeper.retryMaxBackoff=2s"))) {
        Metrics m = new Metrics(metricsPort);
        assertThat(StapleChecker.check("127.0.0.1", server.port(), "TLSv1.3", pki).validStaple())
            .isTrue();
        String serial = pki.server().getSerialNumber().toString(16);
        String cert = "serial=\"" + serial + "\",subject=\"CN=localhost\"";
        m.await(s -> s.value("staplekeeper_handshakes_total", "result=\"stapled\"") >= 1);

        Scrape healthy = m.scrape();
        assertThat(healthy.value("staplekeeper_staple_seconds_until_next_update", cert))
            .isBetween(90.0, 120.0);
        assertThat(healthy.value("staplekeeper_staple_validity_seconds", cert)).isEqualTo(120.0);
        assertThat(healthy.value("staplekeeper_staple_status", cert)).isEqualTo(1.0);
        assertThat(healthy.value("staplekeeper_staple_consecutive_failures", cert)).isZero();
        assertThat(healthy.value("staplekeeper_staple_seconds_since_last_success", cert))
            .isBetween(0.0, 30.0);
        assertThat(healthy.value("staplekeeper_staple_last_fetch_seconds", cert))
            .isGreaterThan(0.0)
            .isLessThan(10.0);
        assertThat(healthy.value("staplekeeper_fetches_total", "result=\"success\"")).isPositive();
        assertThat(healthy.value("staplekeeper_handshakes_total", "result=\"no_staple\"")).isZero();
        assertThat(healthy.value("staplekeeper_certificates", "")).isEqualTo(1.0);
        for (String reason :
            List.of("connect", "timeout", "http_status", "ocsp_status", "invalid_response")) {
          assertThat(healthy.value("staplekeeper_fetches_total", "result=\"" + reason + "\""))
              .as(reason)
              .isZero();
        }
        assertThat(healthy.text).contains("# TYPE staplekeeper_fetches_total counter");

        responder.mode(FaultMode.UNAUTHORIZED);
        Scrape unauthorized =
            m.await(
                s ->
                    s.value("staplekeeper_fetches_total", "result=\"ocsp_status\"") >= 1
                        && s.value("staplekeeper_staple_consecutive_failures", cert) >= 1);
        assertThat(unauthorized.value("staplekeeper_staple_status", cert))
            .as("the last good response is still held")
            .isEqualTo(1.0);

        responder.mode(FaultMode.HTTP_500);
        m.await(s -> s.value("staplekeeper_fetches_total", "result=\"http_status\"") >= 1);
        responder.mode(FaultMode.GARBAGE);
        m.await(s -> s.value("staplekeeper_fetches_total", "result=\"invalid_response\"") >= 1);
        responder.mode(FaultMode.DOWN);
        Scrape down =
            m.await(s -> s.value("staplekeeper_fetches_total", "result=\"connect\"") >= 1);
        assertThat(down.value("staplekeeper_staple_consecutive_failures", cert))
            .isGreaterThanOrEqualTo(4.0);
        assertThat(down.value("staplekeeper_staple_seconds_since_last_success", cert))
            .isGreaterThan(healthy.value("staplekeeper_staple_seconds_since_last_success", cert));

        double successes = down.value("staplekeeper_fetches_total", "result=\"success\"");
        responder.mode(FaultMode.HEALTHY);
        Scrape recovered =
            m.await(
                s ->
                    s.value("staplekeeper_staple_consecutive_failures", cert) == 0
                        && s.value("staplekeeper_fetches_total", "result=\"success\"") > successes);
        assertThat(recovered.value("staplekeeper_staple_seconds_since_last_success", cert))
            .isLessThan(10.0);
        Files.writeString(dir.resolve("metrics.txt"), recovered.text);
      }
    }
  }

  /** One /metrics response. */
  static final class Scrape {
    final String text;

    Scrape(String text) {
      this.text = text;
    }

    /** The value of the sample of {@code name} whose labels contain {@code labels}; NaN if none. */
    double value(String name, String labels) {
      Matcher m =
          Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*\\})? (\\S+)$").matcher(text);
      while (m.find()) {
        String l = m.group(1) == null ? "" : m.group(1);
        if (l.contains(labels)) {
          return Double.parseDouble(m.group(2));
        }
      }
      return Double.NaN;
    }
  }

  /** Scrapes the exporter the way Prometheus does: HTTP GET /metrics. */
  static final class Metrics {
    private final HttpClient http = HttpClient.newHttpClient();
    private final URI uri;

    Metrics(int port) {
      uri = URI.create("http://127.0.0.1:" + port + "/metrics");
    }

    Scrape scrape() throws Exception {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      return new Scrape(r.body());
    }

    /** Scrapes until {@code condition} holds (30 s at most); returns the scrape that met it. */
    Scrape await(Predicate<Scrape> condition) throws Exception {
      long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      Scrape last = null;
      while (System.nanoTime() < end) {
        try {
          last = scrape();
          if (condition.test(last)) {
            return last;
          }
        } catch (java.io.IOException notYet) {
          // the exporter is still starting
        }
        Thread.sleep(250);
      }
      throw new AssertionError(
          "condition not met within 30 s; last scrape:\n" + (last == null ? "none" : last.text));
    }
  }
}
