package dev.staplekeeper.agent;

import static dev.staplekeeper.agent.HostileResponder.FORGED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.staplekeeper.agent.config.AgentConfig;
import dev.staplekeeper.agent.log.CapturedLog;
import dev.staplekeeper.agent.log.LogText;
import dev.staplekeeper.agent.ocsp.CertId;
import dev.staplekeeper.agent.ocsp.ResponseValidator;
import dev.staplekeeper.agent.staple.StapleService;
import dev.staplekeeper.testapps.pki.TestPki;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile-input campaign against the agent as it is wired (real HTTP fetcher, validator, fetch
 * cycle, JMX view), in process: each crafted answer from the plain-HTTP responder, and what the
 * captured log and the MBean then show.
 */
class HostileLogTest {
  private static final String SECRET = "s3cret-pw";

  @TempDir static Path dir;
  static TestPki pki;
  static HostileResponder responder;

  AgentConfig config;
  StapleService service;
  CapturedLog log;

  @BeforeAll
  static void start() throws Exception {
    pki = TestPki.create(dir, URI.create("http://127.0.0.1:1/ocsp"), false);
    responder = new HostileResponder();
  }

  @AfterAll
  static void stop() throws Exception {
    responder.close();
  }

  @BeforeEach
  void wire() throws Exception {
    config =
        AgentConfig.from(
            "responderUri=http://alice:"
                + SECRET
                + "@127.0.0.1:"
                + responder.port()
                + "/ocsp,responderOverride=true,retryInitialBackoff=10m,retryMaxBackoff=10m",
            new Properties(),
            Map.of());
    log = new CapturedLog(Level.INFO);
    service = StapleWiring.service(config).build();
  }

  @AfterEach
  void close() {
    service.close();
    log.close();
  }

  private LogRecord firstFailure() throws InterruptedException {
    service.prefetch(pki.serverChain());
    LogRecord r = log.await(m -> m.contains("failed (attempt 1)"), Duration.ofSeconds(20));
    assertThat(r).as("failure line in %s", log.lines()).isNotNull();
    return r;
  }

  @Test
  void aResponderNameWithALineBreakCannotStartALineOfItsOwn() throws Exception {
    byte[] forged = HostileResponder.forgedResponderName(pki);
    // the input is hostile: the rejection itself carries the raw line break
    Throwable rejected =
        catchThrowable(
            () ->
                new ResponseValidator(Duration.ofMinutes(5))
                    .validate(
                        forged,
                        CertId.of(pki.server(), pki.intermediate()),
                        pki.intermediate(),
                        Instant.now()));
    assertThat(rejected.getMessage()).contains("\n" + FORGED);
    responder.answerOk(forged);

    LogRecord r = firstFailure();

    assertThat(r.getLevel()).isEqualTo(Level.WARNING);
    assertThat(r.getMessage()).contains("Evil\\n" + FORGED).doesNotContain("\n");
    assertThat(log.lines()).isNotEmpty().noneMatch(l -> l.startsWith(FORGED));
    assertThat(log.lines()).anyMatch(l -> l.startsWith("WARNING: StapleKeeper OCSP fetch for"));
  }

  @Test
  void aRejectedResponseWithManySingleResponsesGivesOneCappedLineNamingAFewSerials()
      throws Exception {
    // 100, not 500: a 57 KB response is now refused by maxStapleBytes before its serials are read
    byte[] flood = HostileResponder.manySingles(pki, 100);
    assertThat(flood.length).isBetween(10_000, config.maxStapleBytes());
    responder.answerOk(flood);

    LogRecord r = firstFailure();

    assertThat(r.getMessage())
        .hasSizeLessThanOrEqualTo(LogText.LINE_CAP)
        .containsPattern(
            "it answers for serial\\(s\\) \\[[0-9a-f]+, [0-9a-f]+, [0-9a-f]+, \\.\\.\\.\\(97 more\\)\\]");
    List<String> warnings = log.lines().stream().filter(l -> l.startsWith("WARNING: ")).toList();
    assertThat(warnings).hasSize(1);
    assertThat(warnings.get(0).length() - "WARNING: ".length())
        .isLessThanOrEqualTo(LogText.LINE_CAP);
  }

  @Test
  void responderUserinfoNeverReachesTheLogNorTheJmxViewAndHttpReasonsAreEscaped() throws Exception {
    responder.answerRaw(
        HostileResponder.http(
            503, "Busy \u001b[2J\u001b[31m" + FORGED, "down".getBytes(StandardCharsets.UTF_8)));
    log.close();
    log = new CapturedLog(Level.FINE); // DEBUG lines name the responder too

    LogRecord r = firstFailure();
    Staples view = new Staples(service, "test", config.describeNonDefaults());

    assertThat(r.getMessage())
        .contains("http://***@127.0.0.1:" + responder.port() + "/ocsp")
        .contains("answered HTTP 503 Busy \\u001b[2J\\u001b[31m" + FORGED);
    assertThat(log.lines())
        .anyMatch(l -> l.contains("now stapling") && l.contains("responder http://***@127.0.0.1"))
        .noneMatch(l -> l.contains(SECRET) || l.contains("alice"))
        .noneMatch(l -> l.contains("\u001b"));
    assertThat(view.getSettings())
        .contains("responderUri=http://***@127.0.0.1:" + responder.port())
        .doesNotContain(SECRET);
    assertThat(view.getCertificates())
        .singleElement()
        .asString()
        .contains("1 failures, last: OCSP fetch from http://***@127.0.0.1:")
        .contains("\\u001b[2J")
        .doesNotContain(SECRET)
        .doesNotContain("\u001b");
  }
}
