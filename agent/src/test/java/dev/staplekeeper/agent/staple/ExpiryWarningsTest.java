package dev.staplekeeper.agent.staple;

import static org.assertj.core.api.Assertions.assertThat;

import dev.staplekeeper.agent.ocsp.CertId;
import dev.staplekeeper.agent.ocsp.ValidatedResponse;
import dev.staplekeeper.testapps.pki.TestPki;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExpiryWarningsTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final Duration WINDOW = Duration.ofHours(16);
  static CertId id;

  @BeforeAll
  static void pki(@TempDir Path dir) throws Exception {
    TestPki pki = TestPki.create(dir, URI.create("http://127.0.0.1:1/ocsp"), false);
    id = CertId.of(pki.server(), pki.intermediate());
  }

  final FakeClock clock = new FakeClock(T0);
  final ExpiryWarnings warnings = new ExpiryWarnings();

  static ValidatedResponse good(Instant thisUpdate, Duration window) {
    return new ValidatedResponse(
        new byte[] {1},
        id,
        ValidatedResponse.Status.GOOD,
        thisUpdate,
        thisUpdate.plus(window),
        thisUpdate,
        null);
  }

  /** Fails every {@code step} from now until {@code until}; returns what was reported. */
  List<ExpiryWarnings.Warning> failEvery(
      ValidatedResponse held, Duration step, Instant until, Duration retry) {
    List<ExpiryWarnings.Warning> out = new ArrayList<>();
    while (clock.instant().isBefore(until)) {
      ExpiryWarnings.Warning w =
          warnings.onFailure(id, held, clock.instant(), clock.instant().plus(retry));
      if (w != null) {
        out.add(w);
      }
      clock.advance(step);
    }
    return out;
  }

  @Test
  void staysQuietWhileAQuarterOfTheWindowIsLeft() {
    ValidatedResponse held = good(T0, WINDOW);
    // 16 h window: quiet until 4 h are left, failures every minute, retries 10 min apart
    List<ExpiryWarnings.Warning> out =
        failEvery(
            held, Duration.ofMinutes(1), T0.plus(Duration.ofHours(12)), Duration.ofMinutes(10));
    assertThat(out).isEmpty();
  }

  @Test
  void warnsOncePerHalvingOfTheTimeLeftThenSevereOnceWhenNothingIsLeft() {
    ValidatedResponse held = good(T0, WINDOW);
    clock.set(T0.plus(Duration.ofHours(11)));
    List<ExpiryWarnings.Warning> out =
        failEvery(
            held, Duration.ofMinutes(1), T0.plus(Duration.ofHours(17)), Duration.ofSeconds(30));
    // below 4 h, 2 h, 1 h, 30 min, 15 min, 7.5 min, 3.75 min, 112 s: one each (sampled per minute)
    List<Long> leftMinutes = new ArrayList<>();
    for (ExpiryWarnings.Warning w : out.subList(0, out.size() - 1)) {
      assertThat(w.level).isEqualTo(ExpiryWarnings.Level.WARNING);
      assertThat(w.window).isEqualTo(WINDOW);
      leftMinutes.add(w.left.toMinutes());
    }
    assertThat(leftMinutes).containsExactly(239L, 119L, 59L, 29L, 14L, 7L, 3L, 1L);
    ExpiryWarnings.Warning last = out.get(out.size() - 1);
    assertThat(last.level).isEqualTo(ExpiryWarnings.Level.SEVERE);
    assertThat(last.left).isEqualTo(Duration.ZERO);
  }

  @Test
  void warnsWhenTheNextAttemptComesOnlyAfterNextUpdate() {
    ValidatedResponse held = good(T0, Duration.ofMinutes(20));
    clock.set(T0.plus(Duration.ofMinutes(5)));
    // 15 of 20 minutes left, but the backoff puts the next try 16 minutes away
    ExpiryWarnings.Warning w =
        warnings.onFailure(id, held, clock.instant(), clock.instant().plus(Duration.ofMinutes(16)));
    assertThat(w).isNotNull();
    assertThat(w.level).isEqualTo(ExpiryWarnings.Level.WARNING);
    assertThat(w.left).isEqualTo(Duration.ofMinutes(15));
    assertThat(
            warnings.onFailure(
                id, held, clock.instant(), clock.instant().plus(Duration.ofMinutes(16))))
        .as("same step, said once")
        .isNull();
  }

  @Test
  void severeOnceForACertificateThatNeverGotAResponse() {
    assertThat(warnings.onFailure(id, null, T0, T0.plusSeconds(2)).level)
        .isEqualTo(ExpiryWarnings.Level.SEVERE);
    assertThat(warnings.onFailure(id, null, T0.plusSeconds(2), T0.plusSeconds(6))).isNull();
  }

  @Test
  void aGoodResponseStartsOver() {
    ValidatedResponse held = good(T0, WINDOW);
    Instant late = T0.plus(Duration.ofHours(13));
    assertThat(warnings.onFailure(id, held, late, late.plusSeconds(60))).isNotNull();
    assertThat(warnings.onFailure(id, held, late.plusSeconds(60), late.plusSeconds(120))).isNull();
    warnings.onSuccess(id);
    assertThat(warnings.onFailure(id, held, late.plusSeconds(120), late.plusSeconds(180)))
        .as("reported again after a success")
        .isNotNull();
  }
}
