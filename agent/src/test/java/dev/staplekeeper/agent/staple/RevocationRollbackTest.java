package dev.staplekeeper.agent.staple;

import static org.assertj.core.api.Assertions.assertThat;

import dev.staplekeeper.agent.ocsp.CertId;
import dev.staplekeeper.agent.ocsp.ResponseValidator;
import dev.staplekeeper.agent.ocsp.ValidatedResponse;
import dev.staplekeeper.agent.store.FileResponseStore;
import dev.staplekeeper.testapps.ocsp.OcspResponseFactory;
import dev.staplekeeper.testapps.pki.TestPki;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9 point 2: a revocation is never rolled back. A replayed older good response, a good one
 * with the same thisUpdate as the revoked one, or a planted older good file after a restart is
 * never stapled once a valid revoked response has been accepted; only a strictly newer response
 * takes the certificate back to good, logged at ERROR.
 */
class RevocationRollbackTest {
  private static final Duration WEEK = Duration.ofDays(7);
  private static final Duration TWO_HOURS = Duration.ofHours(2);

  @TempDir static Path pkiDir;
  static TestPki pki;
  static OcspResponseFactory factory;

  FakeClock clock;
  ManualScheduler scheduler;
  Function<Instant, byte[]> answer;
  final List<Instant> calls = new ArrayList<>();
  X509Certificate[] chain;
  ResponseStore store = ResponseStore.NONE;
  final List<LogRecord> logged = new CopyOnWriteArrayList<>();
  final Logger jul = Logger.getLogger("dev.staplekeeper.agent.staple");
  final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord r) {
          logged.add(r);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeAll
  static void createPki() throws IOException {
    pki = TestPki.create(pkiDir, URI.create("http://127.0.0.1:1/ocsp"), false);
    factory = new OcspResponseFactory(pki);
  }

  @BeforeEach
  void setUp() {
    clock = new FakeClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    scheduler = new ManualScheduler(clock);
    chain = pki.serverChain();
    jul.addHandler(capture);
  }

  @AfterEach
  void tearDown() {
    jul.removeHandler(capture);
  }

  StapleService service() {
    return StapleService.builder(StapleServiceTest.SETTINGS)
        .clock(clock)
        .scheduler(scheduler)
        .source(
            (uri, id) -> {
              calls.add(clock.instant());
              return answer.apply(clock.instant());
            })
        .validator(new ResponseValidator(Duration.ofMinutes(5)))
        .resolver(cert -> pki.ocspUrl())
        .store(store)
        .random(() -> 0.5)
        .build();
  }

  static byte[] good(Instant thisUpdate, Duration validity) {
    return factory.forCertificate(pki.server()).thisUpdate(thisUpdate).validity(validity).build();
  }

  static byte[] revoked(Instant thisUpdate, Duration validity) {
    return factory
        .forCertificate(pki.server())
        .revoked(thisUpdate.minusSeconds(30), 1)
        .thisUpdate(thisUpdate)
        .validity(validity)
        .build();
  }

  byte[] staple(StapleService s) {
    return s.responses("OCSP", chain).get(chain[0]);
  }

  static boolean isRevoked(byte[] der) throws Exception {
    BasicOCSPResp b = (BasicOCSPResp) new OCSPResp(der).getResponseObject();
    return b.getResponses()[0].getCertStatus() instanceof RevokedStatus;
  }

  String errors() {
    StringBuilder sb = new StringBuilder();
    for (LogRecord r : logged) {
      if (r.getLevel() == Level.SEVERE) {
        sb.append(new java.util.logging.SimpleFormatter().formatMessage(r)).append('\n');
      }
    }
    return sb.toString();
  }

  /**
   * A service that fetched a good week-long response at the start and, at its refresh (3.5 days), a
   * revoked one valid two hours. Returns the old good response's bytes.
   */
  byte[] goodThenRevoked(StapleService s) throws Exception {
    Instant start = clock.instant();
    byte[] oldGood = good(start, WEEK);
    answer = now -> oldGood;
    staple(s);
    scheduler.runDue();
    assertThat(staple(s)).isEqualTo(oldGood);
    answer = now -> revoked(now, TWO_HOURS);
    scheduler.advance(WEEK.dividedBy(2));
    byte[] held = staple(s);
    assertThat(held).isNotNull();
    assertThat(isRevoked(held)).as("the revoked response is held").isTrue();
    return oldGood;
  }

  @Test
  void aReplayedOlderGoodIsNeverStapledAgainOnceTheRevokedOneRanOut() throws Exception {
    StapleService s = service();
    Instant start = clock.instant();
    byte[] oldGood = goodThenRevoked(s);
    int before = calls.size();
    answer =
        now -> oldGood; // an attacker replays it: thisUpdate before the revocation, valid 3 days

    for (int i = 0; i < 30; i++) {
      scheduler.advance(Duration.ofMinutes(10));
      byte[] stapled = staple(s);
      assertThat(stapled).as("after %d min", (i + 1) * 10).isNotEqualTo(oldGood);
      if (stapled != null) {
        assertThat(isRevoked(stapled)).isTrue();
      }
    }
    assertThat(staple(s)).as("the revoked response ran out: nothing to staple").isNull();
    assertThat(calls.size()).as("the replay was fetched and refused").isGreaterThan(before);
    assertThat(errors())
        .contains("GOOD response (thisUpdate " + start)
        .contains("not newer than the REVOKED one");
  }

  @Test
  void aGoodWithTheSameThisUpdateAsTheHeldRevokedDoesNotReplaceIt() throws Exception {
    StapleService s = service();
    goodThenRevoked(s);
    byte[] revokedHeld = staple(s);
    Instant revokedAt = clock.instant();
    answer = now -> good(revokedAt, WEEK); // same thisUpdate, valid far longer

    for (int i = 0; i < 30; i++) {
      scheduler.advance(Duration.ofMinutes(10));
      byte[] stapled = staple(s);
      if (stapled != null) {
        assertThat(stapled).as("after %d min", (i + 1) * 10).isEqualTo(revokedHeld);
      }
    }
    assertThat(staple(s)).isNull();
    assertThat(errors()).contains("thisUpdate " + revokedAt).contains("not newer than the REVOKED");
  }

  @Test
  void onlyAStrictlyNewerGoodTakesARevokedCertificateBackToGoodAndSaysSoAtError() throws Exception {
    StapleService s = service();
    goodThenRevoked(s);
    Instant revokedThisUpdate = clock.instant();
    answer = now -> good(now, WEEK);

    scheduler.advance(Duration.ofHours(1));

    byte[] stapled = staple(s);
    assertThat(stapled).isNotNull();
    assertThat(isRevoked(stapled)).isFalse();
    assertThat(errors())
        .contains("was REVOKED (thisUpdate " + revokedThisUpdate)
        .contains("strictly newer response")
        .contains("(thisUpdate " + clock.instant() + ") says GOOD");
  }

  @Test
  void theMarkOutlivesTheHeldResponseWithStapleRevokedOff() throws Exception {
    StapleService s =
        StapleService.builder(StapleServiceTest.SETTINGS.toBuilder().stapleRevoked(false).build())
            .clock(clock)
            .scheduler(scheduler)
            .source((uri, id) -> answer.apply(clock.instant()))
            .validator(new ResponseValidator(Duration.ofMinutes(5)))
            .resolver(cert -> pki.ocspUrl())
            .random(() -> 0.5)
            .build();
    Instant start = clock.instant();
    byte[] oldGood = good(start, WEEK);
    answer = now -> oldGood;
    staple(s);
    scheduler.runDue();
    answer = now -> revoked(now, TWO_HOURS);
    scheduler.advance(WEEK.dividedBy(2));
    assertThat(staple(s)).as("revoked, not stapled").isNull();
    answer = now -> oldGood;
    scheduler.advance(Duration.ofHours(5));
    assertThat(staple(s)).isNull();
  }

  @Test
  void aPlantedOlderGoodFileDoesNotReplaceTheStoredRevokedOneAfterARestart(
      @TempDir Path cacheDir, @TempDir Path elsewhere) throws Exception {
    store = FileResponseStore.open(cacheDir);
    StapleService before = service();
    byte[] oldGood = goodThenRevoked(before);
    before.close();
    plantGood(oldGood, cacheDir, elsewhere);

    scheduler = new ManualScheduler(clock);
    answer = now -> oldGood; // and the responder replays it too
    StapleService after = service();
    assertThat(after.loadStored()).as("the planted file is refused").isZero();
    assertThat(staple(after)).as("not the planted good response").isNull();
    scheduler.advance(Duration.ofMinutes(30));
    assertThat(staple(after)).as("the replay is refused too").isNull();
    scheduler.advance(Duration.ofHours(3));
    assertThat(staple(after)).as("revoked ran out; the replay is refused").isNull();
    assertThat(errors()).contains("ignored stored OCSP response").contains("REVOKED");
  }

  @Test
  void aPlantedOlderGoodFileIsRefusedAfterTheRevokedOneExpiredAndWasRemoved(
      @TempDir Path cacheDir, @TempDir Path elsewhere) throws Exception {
    store = FileResponseStore.open(cacheDir);
    StapleService before = service();
    byte[] oldGood = goodThenRevoked(before);
    before.close();

    scheduler = new ManualScheduler(clock);
    clock.advance(Duration.ofHours(3)); // the stored revoked response expired
    answer = now -> oldGood;
    StapleService restarted = service();
    assertThat(restarted.loadStored()).isZero();
    restarted.close();
    plantGood(oldGood, cacheDir, elsewhere);

    scheduler = new ManualScheduler(clock);
    StapleService after = service();
    assertThat(after.loadStored()).isZero();
    staple(after);
    scheduler.advance(Duration.ofMinutes(30));
    assertThat(staple(after)).isNull();
  }

  @Test
  void aMarkDatedInTheFutureIsIgnoredSoItCannotStarveStapling(@TempDir Path cacheDir)
      throws Exception {
    store = FileResponseStore.open(cacheDir);
    CertId id = CertId.of(pki.server(), pki.intermediate());
    Instant ahead = clock.instant().plus(Duration.ofDays(10));
    store.save(
        pki.server(),
        pki.intermediate(),
        new ResponseValidator(Duration.ofMinutes(5))
            .validate(revoked(ahead, WEEK), id, pki.intermediate(), ahead));
    answer = now -> good(now, WEEK);
    StapleService s = service();
    assertThat(s.loadStored()).as("the future-dated response itself").isZero();
    staple(s);
    scheduler.runDue();
    assertThat(staple(s)).isNotNull();
  }

  /** Overwrites the store's file with one holding {@code der}, as an attacker would. */
  private static void plantGood(byte[] der, Path cacheDir, Path elsewhere) throws Exception {
    CertId id = CertId.of(pki.server(), pki.intermediate());
    ValidatedResponse r =
        new ResponseValidator(Duration.ofMinutes(5))
            .validate(der, id, pki.intermediate(), Instant.now().plus(Duration.ofDays(3)));
    FileResponseStore.open(elsewhere).save(pki.server(), pki.intermediate(), r);
    String name = id.fileStem() + ".ocsp";
    Files.copy(
        elsewhere.resolve(name), cacheDir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
  }
}
