package dev.staplekeeper.agent.ocsp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.staplekeeper.testapps.pki.TestPki;
import dev.staplekeeper.testapps.responder.FaultMode;
import dev.staplekeeper.testapps.responder.OcspResponder;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fetcher and validator against the real test-apps HTTP responder and its fault modes. */
class OcspFetcherTest {
  private static final Duration DEADLINE = Duration.ofMillis(1500);

  /** Generous: the fetch must return at its deadline, not when the responder lets go. */
  private static final Duration RETURN_BOUND = DEADLINE.plusSeconds(2);

  @TempDir static Path dir;
  static OcspResponder responder;
  static TestPki pki;
  static CertId id;

  private final OcspFetcher fetcher = new OcspFetcher(Duration.ofMillis(1000), DEADLINE, 64 * 1024);
  private final ResponseValidator validator = new ResponseValidator(Duration.ofMinutes(5));

  @BeforeAll
  static void startResponder() throws Exception {
    responder = OcspResponder.bind(0);
    pki = TestPki.create(dir, responder.url(), false);
    responder.start(pki, Duration.ofMinutes(10));
    id = CertId.of(pki.server(), pki.intermediate());
  }

  @AfterAll
  static void stopResponder() {
    responder.close();
  }

  @AfterEach
  void healthyAgain() {
    responder.mode(FaultMode.HEALTHY);
    responder.slowDelay(OcspResponder.DEFAULT_SLOW_DELAY);
    responder.resetCount();
  }

  private ValidatedResponse validate(byte[] der) throws InvalidResponseException {
    return validator.validate(der, id, pki.intermediate(), Instant.now());
  }

  private FetchException failure(OcspFetcher f) {
    FetchException e =
        catchThrowableOfType(FetchException.class, () -> f.fetch(responder.url(), id));
    assertThat(e).as("fetch failure").isNotNull();
    assertThat(e.getMessage()).contains(responder.url().toString());
    assertThat(e.uri()).isEqualTo(responder.url());
    return e;
  }

  private static long millisSince(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  @Test
  void fetchesAValidResponseByPost() throws Exception {
    byte[] der = fetcher.withPostOnly(true).fetch(responder.url(), id);

    ValidatedResponse response = validate(der);
    assertThat(response.status()).isEqualTo(ValidatedResponse.Status.GOOD);
    assertThat(response.validity()).isEqualTo(Duration.ofMinutes(10));
    assertThat(responder.requestCount()).isEqualTo(1);
  }

  @Test
  void fetchesAValidResponseByGetByDefault() throws Exception {
    byte[] der = fetcher.fetch(responder.url(), id);

    assertThat(validate(der).status()).isEqualTo(ValidatedResponse.Status.GOOD);
    assertThat(responder.requestCount()).isEqualTo(1);
  }

  @Test
  void fetchesAResponseToANonceRequestThatStillValidates() throws Exception {
    byte[] der = fetcher.withNonce(true).fetch(responder.url(), id);

    assertThat(validate(der).status()).isEqualTo(ValidatedResponse.Status.GOOD);
  }

  @Test
  void reportsHttp500AsHttpStatus() {
    responder.mode(FaultMode.HTTP_500);

    FetchException e = failure(fetcher);

    assertThat(e.kind()).isEqualTo(FetchException.Kind.HTTP_STATUS);
    assertThat(e.getMessage()).contains("HTTP 500").contains("expected 200");
  }

  @Test
  void reportsARespondersClosedPortAsConnectRefused() {
    responder.mode(FaultMode.DOWN);

    FetchException e = failure(fetcher);

    assertThat(e.kind()).isEqualTo(FetchException.Kind.CONNECT_REFUSED);
    assertThat(e.getMessage()).contains("connection refused");
  }

  @Test
  void fetchesAgainOnceTheResponderIsBack() throws Exception {
    responder.mode(FaultMode.DOWN);
    failure(fetcher);
    responder.mode(FaultMode.HEALTHY);

    assertThat(validate(fetcher.fetch(responder.url(), id)).status())
        .isEqualTo(ValidatedResponse.Status.GOOD);
  }

  @Test
  void givesUpOnAHangingResponderAtTheDeadline() {
    responder.mode(FaultMode.HANG);

    long start = System.nanoTime();
    FetchException e = failure(fetcher);

    assertThat(e.kind()).isEqualTo(FetchException.Kind.TIMEOUT);
    assertThat(millisSince(start)).isLessThan(RETURN_BOUND.toMillis());
    assertThat(e.getMessage()).contains("deadline of 1500 ms");
  }

  @Test
  void givesUpOnASlowResponderAtTheDeadline() {
    responder.slowDelay(Duration.ofSeconds(5));
    responder.mode(FaultMode.SLOW);

    long start = System.nanoTime();
    FetchException e = failure(fetcher);

    assertThat(e.kind()).isEqualTo(FetchException.Kind.TIMEOUT);
    assertThat(millisSince(start)).isLessThan(RETURN_BOUND.toMillis());
  }

  @Test
  void waitsForASlowResponderThatAnswersWithinTheDeadline() throws Exception {
    responder.slowDelay(Duration.ofMillis(300));
    responder.mode(FaultMode.SLOW);

    assertThat(validate(fetcher.fetch(responder.url(), id)).status())
        .isEqualTo(ValidatedResponse.Status.GOOD);
  }

  @Test
  void rejectsAnOversizedResponseNamingTheLimit() {
    responder.mode(FaultMode.OVERSIZED);

    FetchException e = failure(fetcher);

    assertThat(e.kind()).isEqualTo(FetchException.Kind.TOO_LARGE);
    assertThat(e.getMessage()).contains("limit of 65536 bytes");
  }

  @Test
  void garbageFromTheResponderIsFetchedButNotValidated() throws Exception {
    responder.mode(FaultMode.GARBAGE);

    byte[] der = fetcher.fetch(responder.url(), id);

    assertThatThrownBy(() -> validate(der)).isInstanceOf(InvalidResponseException.class);
  }

  @Test
  void errorStatusFromTheResponderIsNamedByTheValidator() throws Exception {
    responder.mode(FaultMode.UNAUTHORIZED);

    byte[] der = fetcher.fetch(responder.url(), id);

    assertThatThrownBy(() -> validate(der))
        .isInstanceOf(InvalidResponseException.class)
        .hasMessageContaining("unauthorized (6)");
  }

  @Test
  void revokedFromTheResponderIsReported() throws Exception {
    responder.mode(FaultMode.REVOKED);

    ValidatedResponse response = validate(fetcher.fetch(responder.url(), id));

    assertThat(response.status()).isEqualTo(ValidatedResponse.Status.REVOKED);
    assertThat(response.revocationTime()).isBefore(Instant.now());
  }

  @Test
  void wrongSignerFromTheResponderIsRejected() throws Exception {
    responder.mode(FaultMode.WRONG_SIGNER);

    byte[] der = fetcher.fetch(responder.url(), id);

    assertThatThrownBy(() -> validate(der))
        .isInstanceOf(InvalidResponseException.class)
        .hasMessageContaining("signed by an unauthorized");
  }
}
