package dev.staplekeeper.agent.staple;

import static org.assertj.core.api.Assertions.assertThat;

import dev.staplekeeper.agent.log.CapturedLog;
import dev.staplekeeper.agent.ocsp.CertId;
import dev.staplekeeper.agent.ocsp.ResponseValidator;
import dev.staplekeeper.agent.ocsp.ValidatedResponse;
import dev.staplekeeper.testapps.ocsp.OcspResponseFactory;
import dev.staplekeeper.testapps.ocsp.OcspResponseFactory.Signer;
import dev.staplekeeper.testapps.pki.TestPki;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stapling policy on a fake clock, against real responses built and signed with bcpkix and
 * checked by the real validator: days of refresh, backoff and expiry run in milliseconds.
 */
class StapleServiceTest {
  private static final Duration WEEK = Duration.ofDays(7);

  @TempDir static Path dir;
  static TestPki pki;
  static OcspResponseFactory factory;

  FakeClock clock;
  ManualScheduler scheduler;
  Responder responder;
  X509Certificate[] chain;

  /** The responder the service fetches from: answers with whatever the test scripts. */
  static final class Responder implements ResponseSource {
    Function<Instant, byte[]> answer;
    final List<Instant> calls = new ArrayList<>();
    final FakeClock clock;

    Responder(FakeClock clock) {
      this.clock = clock;
    }

    @Override
    public byte[] fetch(URI uri, CertId id) throws Exception {
      calls.add(clock.instant());
      return answer.apply(clock.instant());
    }
  }

  @BeforeAll
  static void pki() throws IOException {
    pki = TestPki.create(dir, URI.create("http://127.0.0.1:1/ocsp"), false);
    factory = new OcspResponseFactory(pki);
  }

  @BeforeEach
  void setUp() {
    clock = new FakeClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    scheduler = new ManualScheduler(clock);
    responder = new Responder(clock);
    responder.answer = this::goodWeek;
    chain = pki.serverChain();
  }

  byte[] goodWeek(Instant now) {
    return factory.forCertificate(pki.server()).thisUpdate(now).validity(WEEK).build();
  }

  static byte[] fail(String why) {
    throw new IllegalStateException(why);
  }

  ResponseStore store = ResponseStore.NONE;

  /** The documented defaults, except: no cold wait (a fake clock cannot wait) and no jitter. */
  static final StapleSettings SETTINGS =
      StapleSettings.builder()
          .refreshFraction(0.5)
          .refreshJitter(0)
          .retryInitialBackoff(Duration.ofSeconds(2))
          .retryMaxBackoff(Duration.ofMinutes(10))
          .missRetryMaxBackoff(Duration.ofSeconds(30))
          .missRetryInterval(Duration.ofSeconds(5))
          .fetchConcurrency(4)
          .coldWait(Duration.ZERO)
          .cacheSize(1000)
          .retireAfter(Duration.ZERO)
          .stapleRevoked(true)
          .build();

  /** A service on the fake clock and scheduler, fetching from {@link #responder}. */
  StapleService.Builder wired(StapleSettings settings) {
    return StapleService.builder(settings)
        .clock(clock)
        .scheduler(scheduler)
        .source(responder)
        .validator(new ResponseValidator(Duration.ofMinutes(5)))
        .resolver(cert -> pki.ocspUrl())
        .store(store)
        .random(() -> 0.5);
  }

  StapleService service() {
    return wired(SETTINGS).build();
  }

  StapleService service(UnaryOperator<StapleSettings.Builder> change) {
    return wired(change.apply(SETTINGS.toBuilder()).build()).build();
  }

  byte[] staple(StapleService s) {
    return s.responses("OCSP", chain).get(chain[0]);
  }

  @Test
  void coldMissStartsOneFetchAndStaplesOnceItSucceeds() {
    StapleService s = service();
    assertThat(staple(s)).isNull();
    assertThat(staple(s)).isNull();
    scheduler.runDue();
    assertThat(responder.calls).hasSize(1);
    assertThat(staple(s)).isNotNull();
  }

  @Test
  void handshakesNeverFetchWhenAResponseIsHeld() {
    StapleService s = service();
    staple(s);
    scheduler.runDue();
    for (int i = 0; i < 10_000; i++) {
      assertThat(staple(s)).isNotNull();
    }
    assertThat(responder.calls).hasSize(1);
  }

  @Test
  void refreshesAtHalfOfTheValidityWindow() {
    StapleService s = service();
    staple(s);
    scheduler.runDue();
    Instant first = responder.calls.get(0);
    scheduler.advance(Duration.ofDays(3).plusHours(11));
    assertThat(responder.calls).hasSize(1);
    scheduler.advance(Duration.ofHours(2));
    assertThat(responder.calls).hasSize(2);
    assertThat(Duration.between(first, responder.calls.get(1))).isEqualTo(Duration.ofHours(84));
  }

  @Test
  void jitterMovesTheRefreshEarlierButNeverLater() {
    StapleService s = service(c -> c.refreshJitter(0.1));
    staple(s);
    scheduler.runDue();
    // random() is 0.5 in these tests: 0.5 - 0.1 * 0.5 = 45 % of the window
    Instant expected =
        responder.calls.get(0).plus(Duration.ofMillis((long) (WEEK.toMillis() * 0.45)));
    assertThat(scheduler.pending()).containsExactly(expected);
  }

  @Test
  void keepsTheLastGoodResponseThroughAResponderOutageUntilItsNextUpdate() {
    StapleService s = service();
    staple(s);
    scheduler.runDue();
    byte[] good = staple(s);
    Instant nextUpdate = responder.calls.get(0).plus(WEEK);

    responder.answer = now -> fail("connection refused");
    scheduler.advance(Duration.ofDays(3).plusHours(12)); // refresh point: failures begin
    while (clock.instant().isBefore(nextUpdate.minusSeconds(2))) {
      assertThat(staple(s)).as("staple at %s", clock.instant()).isEqualTo(good);
      scheduler.advance(Duration.ofMinutes(7));
    }
    scheduler.advance(Duration.between(clock.instant(), nextUpdate));
    assertThat(staple(s)).as("never staple past nextUpdate").isNull();
    // 3.5 days of failures with backoff capped at 10 min: a few hundred requests, not one per
    // handshake
    assertThat(responder.calls.size()).isBetween(300, 900);
  }

  @Test
  void aFresherResponseReplacesTheHeldOneAfterTheOutage() {
    StapleService s = service();
    staple(s);
    scheduler.runDue();
    byte[] first = staple(s);
    responder.answer = now -> fail("HTTP 500");
    scheduler.advance(Duration.ofDays(4));
    assertThat(staple(s)).isEqualTo(first);
    responder.answer = this::goodWeek;
    scheduler.advance(Duration.ofMinutes(11));
    assertThat(staple(s)).isNotEqualTo(first).isNotNull();
  }

  @Test
  void retriesFastThenBacksOffExponentiallyUpToTheCap() {
    StapleService s =
        service(
            c ->
                c.retryInitialBackoff(Duration.ofSeconds(2))
                    .retryMaxBackoff(Duration.ofMinutes(10))
                    .missRetryMaxBackoff(Duration.ofMinutes(1)));
    responder.answer = now -> fail("connection refused");
    staple(s);
    scheduler.advance(Duration.ofMinutes(10));
    List<Long> gaps = new ArrayList<>();
    for (int i = 1; i < responder.calls.size(); i++) {
      gaps.add(Duration.between(responder.calls.get(i - 1), responder.calls.get(i)).toMillis());
    }
    // jitter factor is exactly 1.0 here (random 0.5)
    assertThat(gaps.subList(0, 6)).containsExactly(2000L, 4000L, 8000L, 16000L, 32000L, 60000L);
    assertThat(gaps).allMatch(g -> g <= 60000L);
  }

  @Test
  void errorResponsesGarbageAndInvalidResponsesNeverReplaceTheHeldOne() {
    StapleService s =
        service(
            c ->
                c.retryInitialBackoff(Duration.ofSeconds(1))
                    .retryMaxBackoff(Duration.ofSeconds(1)));
    staple(s);
    scheduler.runDue();
    byte[] good = staple(s);
    List<Function<Instant, byte[]>> bad =
        List.of(
            now -> OcspResponseFactory.errorResponse(6), // unauthorized
            now -> OcspResponseFactory.errorResponse(3), // tryLater
            now -> OcspResponseFactory.errorResponse(2), // internalError
            now -> new byte[] {0x30, 0x03, 0x0a, 0x01},
            now -> "<html>gateway</html>".getBytes(),
            now ->
                factory
                    .forCertificate(pki.server())
                    .thisUpdate(now.minus(Duration.ofDays(8)))
                    .validity(WEEK)
                    .build(),
            now ->
                factory
                    .forCertificate(pki.server())
                    .thisUpdate(now.plus(Duration.ofHours(2)))
                    .build(),
            now -> factory.forCertificate(pki.server()).thisUpdate(now).nextUpdate(null).build(),
            now ->
                factory.forCertificate(pki.server()).signer(Signer.ROGUE).thisUpdate(now).build(),
            now ->
                factory
                    .forCertificate(pki.server())
                    .signer(Signer.DELEGATED_NO_EKU)
                    .thisUpdate(now)
                    .build(),
            now ->
                factory
                    .forCertificate(pki.server())
                    .serial(java.math.BigInteger.TEN)
                    .thisUpdate(now)
                    .build(),
            now -> factory.forCertificate(pki.server()).unknown().thisUpdate(now).build());
    scheduler.advance(Duration.ofDays(3).plusHours(12).minusSeconds(1));
    for (Function<Instant, byte[]> answer : bad) {
      int before = responder.calls.size();
      responder.answer = answer;
      scheduler.advance(Duration.ofSeconds(3));
      assertThat(responder.calls.size()).isGreaterThan(before);
      assertThat(staple(s)).isEqualTo(good);
    }
  }

  @Test
  void anOlderResponseThanTheHeldOneIsNotTaken() {
    StapleService s = service();
    staple(s);
    scheduler.runDue();
    byte[] good = staple(s);
    Instant firstThisUpdate = responder.calls.get(0);
    responder.answer =
        now ->
            factory
                .forCertificate(pki.server())
                .thisUpdate(firstThisUpdate.minusSeconds(60))
                .validity(WEEK)
                .build();
    scheduler.advance(Duration.ofDays(4));
    assertThat(staple(s)).isEqualTo(good);
  }

  @Test
  void aValidRevokedResponseReplacesTheGoodOneAndIsStapled() throws Exception {
    StapleService s = service();
    staple(s);
    scheduler.runDue();
    byte[] good = staple(s);
    responder.answer =
        now ->
            factory
                .forCertificate(pki.server())
                .revoked(now.minusSeconds(30), 1)
                .thisUpdate(now)
                .validity(WEEK)
                .build();
    scheduler.advance(Duration.ofDays(4));
    byte[] revoked = staple(s);
    assertThat(revoked).isNotNull().isNotEqualTo(good);
    assertThat(new org.bouncycastle.cert.ocsp.OCSPResp(revoked).getResponseObject())
        .isInstanceOfSatisfying(
            org.bouncycastle.cert.ocsp.BasicOCSPResp.class,
            b ->
                assertThat(b.getResponses()[0].getCertStatus())
                    .isInstanceOf(org.bouncycastle.cert.ocsp.RevokedStatus.class));
  }

  @Test
  void aRevokedResponseIsNotStapledWhenStapleRevokedIsOff() {
    StapleService s = service(c -> c.stapleRevoked(false));
    responder.answer =
        now ->
            factory
                .forCertificate(pki.server())
                .revoked(now.minusSeconds(30), 1)
                .thisUpdate(now)
                .validity(WEEK)
                .build();
    staple(s);
    scheduler.runDue();
    assertThat(staple(s)).isNull();
  }

  @Test
  void anExpiredHeldResponseIsDroppedFromHandshakesButRetriesGoOn() {
    StapleService s = service(c -> c.retryMaxBackoff(Duration.ofHours(1)));
    responder.answer =
        now ->
            factory
                .forCertificate(pki.server())
                .thisUpdate(now)
                .validity(Duration.ofHours(2))
                .build();
    staple(s);
    scheduler.runDue();
    assertThat(staple(s)).isNotNull();
    responder.answer = now -> fail("down");
    scheduler.advance(Duration.ofHours(2));
    assertThat(staple(s)).isNull();
    responder.answer = this::goodWeek;
    scheduler.advance(Duration.ofHours(1).plusMinutes(1));
    assertThat(staple(s)).isNotNull();
  }

  @Test
  void aResponderServingTheSameOldResponseIsNotAskedInALoop() {
    StapleService s = service();
    Instant signedAt =
        clock.instant().minus(Duration.ofDays(4)); // pre-signed, past its refresh point
    byte[] same = factory.forCertificate(pki.server()).thisUpdate(signedAt).validity(WEEK).build();
    responder.answer = now -> same;
    staple(s);
    scheduler.advance(Duration.ofDays(3).minusMinutes(1));
    assertThat(staple(s)).isEqualTo(same);
    // halving the time left each time: about log2(3 days / 2 s) requests, not thousands
    assertThat(responder.calls.size()).isBetween(2, 25);
  }

  @Test
  void statusRequestV2AndTls13AskForTheWholeChain() {
    StapleService s = service();
    Map<X509Certificate, byte[]> multi = s.responses("OCSP_MULTI", chain);
    scheduler.runDue();
    multi = s.responses("OCSP_MULTI", chain);
    // the intermediate's issuer (the root) is not in the chain: only the leaf can be stapled
    assertThat(multi).containsOnlyKeys(chain[0]);
  }

  @Test
  void aCertificateWithoutResponderIsLeftAloneQuietly() {
    StapleService s = wired(SETTINGS).resolver(cert -> null).build();
    assertThat(s.responses("OCSP", chain)).isEmpty();
    scheduler.advance(Duration.ofDays(1));
    assertThat(responder.calls).isEmpty();
  }

  @Test
  void aChainWithoutIssuerGetsNoStapleAndOneWarningPerCertificate() throws Exception {
    try (CapturedLog logs = new CapturedLog(Level.INFO)) {
      StapleService s = service();
      X509Certificate leaf = chain[0];
      X509Certificate copy = copyOf(leaf);
      s.prefetch(new X509Certificate[] {leaf});
      for (int i = 0; i < 3; i++) {
        assertThat(s.responses("OCSP", new X509Certificate[] {leaf})).isEmpty();
        assertThat(s.responses("OCSP_MULTI", new X509Certificate[] {copy})).isEmpty();
      }
      assertThat(s.responses("OCSP", null)).isEmpty();

      assertThat(chainWarnings(logs))
          .singleElement()
          .asString()
          .contains("cannot staple CN=localhost (serial " + leaf.getSerialNumber().toString(16))
          .contains(
              "without its issuer certificate (O=StapleKeeper Test,CN=StapleKeeper Test Intermediate CA)");
      scheduler.advance(Duration.ofDays(1));
      assertThat(responder.calls).isEmpty();
    }
  }

  @Test
  void aChainWithAWrongIssuerGetsNoStapleAndOneWarningPerCertificate() throws Exception {
    try (CapturedLog logs = new CapturedLog(Level.INFO)) {
      StapleService s = service();
      X509Certificate[] wrong = {chain[0], pki.rogue()};
      X509Certificate[] wrongCopy = {copyOf(chain[0]), pki.rogue()};
      X509Certificate other = pki.issueLeaf("other.test", pki.ocspUrl()).cert();
      for (int i = 0; i < 3; i++) {
        assertThat(s.responses("OCSP", wrong)).isEmpty();
        assertThat(s.responses("OCSP_MULTI", wrongCopy)).isEmpty();
        assertThat(s.responses("OCSP", new X509Certificate[] {other, pki.root()})).isEmpty();
      }

      List<String> warnings = chainWarnings(logs);
      assertThat(warnings).hasSize(2);
      assertThat(warnings.get(0))
          .contains("cannot staple CN=localhost (serial " + chain[0].getSerialNumber().toString(16))
          .contains(
              "the next certificate in the chain, O=Not StapleKeeper,CN=StapleKeeper Rogue CA, is"
                  + " not its issuer;")
          .contains("needs the issuer O=StapleKeeper Test,CN=StapleKeeper Test Intermediate CA");
      assertThat(warnings.get(1)).contains("cannot staple CN=other.test");
      scheduler.advance(Duration.ofDays(1));
      assertThat(responder.calls).isEmpty();
    }
  }

  /**
   * The next certificate has the issuer's name but another key (another PKI's intermediate of the
   * same name, as after a CA re-key): the request would name the wrong key, so nothing is fetched.
   */
  @Test
  void aChainWhoseNextCertificateHasTheIssuersNameButAnotherKeyGetsNoStaple() throws Exception {
    TestPki sameNames = TestPki.create(dir.resolve("same-names"), pki.ocspUrl(), false);
    assertThat(sameNames.intermediate().getSubjectX500Principal())
        .isEqualTo(chain[0].getIssuerX500Principal());
    try (CapturedLog logs = new CapturedLog(Level.INFO)) {
      StapleService s = service();
      X509Certificate[] rekeyed = {chain[0], sameNames.intermediate()};
      for (int i = 0; i < 3; i++) {
        assertThat(s.responses("OCSP", rekeyed)).isEmpty();
      }
      assertThat(chainWarnings(logs))
          .singleElement()
          .asString()
          .contains("cannot staple CN=localhost (serial " + chain[0].getSerialNumber().toString(16))
          .contains("has its issuer's name but another key");
      scheduler.advance(Duration.ofDays(1));
      assertThat(responder.calls).isEmpty();

      // the right chain of the same certificate object is not held against it
      StapleService fresh = service();
      fresh.prefetch(new X509Certificate[] {copyOf(chain[0]), chain[1]});
      scheduler.advance(Duration.ofSeconds(1));
      assertThat(responder.calls).hasSize(1);
    }
  }

  @Test
  void aLeafOnlyChainWithoutResponderIsLeftAloneQuietly() {
    try (CapturedLog logs = new CapturedLog(Level.INFO)) {
      StapleService s = wired(SETTINGS).resolver(cert -> null).build();
      assertThat(s.responses("OCSP", new X509Certificate[] {chain[0]})).isEmpty();
      assertThat(chainWarnings(logs)).isEmpty();
    }
  }

  /** The WARNING lines {@link ChainWarnings} logged so far. */
  static List<String> chainWarnings(CapturedLog logs) {
    List<String> out = new ArrayList<>();
    for (LogRecord r : logs.records()) {
      if (r.getLevel() == Level.WARNING
          && ChainWarnings.class.getName().equals(r.getLoggerName())) {
        out.add(r.getMessage());
      }
    }
    return out;
  }

  static X509Certificate copyOf(X509Certificate cert) throws Exception {
    return (X509Certificate)
        java.security.cert.CertificateFactory.getInstance("X.509")
            .generateCertificate(new java.io.ByteArrayInputStream(cert.getEncoded()));
  }

  @Test
  void copiesOfTheSameCertificateShareOneEntry() throws Exception {
    StapleService s = service();
    X509Certificate copy =
        (X509Certificate)
            java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCertificate(new java.io.ByteArrayInputStream(chain[0].getEncoded()));
    s.responses("OCSP", chain);
    s.responses("OCSP", new X509Certificate[] {copy, chain[1]});
    scheduler.runDue();
    assertThat(responder.calls).hasSize(1);
    assertThat(s.responses("OCSP", new X509Certificate[] {copy, chain[1]})).containsKey(copy);
  }

  @Test
  void prefetchFetchesBeforeTheFirstHandshake() {
    StapleService s = service();
    s.prefetch(chain);
    scheduler.runDue();
    assertThat(responder.calls).hasSize(1);
    assertThat(staple(s)).isNotNull();
  }

  @Test
  void describeTellsOperatorsWhatIsHeldAndWhatFailed() {
    StapleService s = service();
    staple(s);
    scheduler.runDue();
    responder.answer = now -> fail("responder says unauthorized");
    scheduler.advance(Duration.ofDays(3).plusHours(13));
    assertThat(s.describe())
        .singleElement()
        .asString()
        .contains("GOOD, valid 3d")
        .contains("failures")
        .contains("unauthorized");
  }

  @Test
  void storedResponsesAreStapledAtOnceAfterARestartWithTheResponderDown(@TempDir Path cacheDir) {
    store = dev.staplekeeper.agent.store.FileResponseStore.open(cacheDir);
    StapleService before = service();
    staple(before);
    scheduler.runDue();
    byte[] good = staple(before);
    before.close();

    scheduler = new ManualScheduler(clock);
    clock.advance(Duration.ofDays(1));
    responder.answer = now -> fail("connection refused");
    StapleService after = service();
    assertThat(after.loadStored()).isEqualTo(1);
    assertThat(staple(after)).as("first handshake after restart").isEqualTo(good);
    assertThat(responder.calls).hasSize(1);
  }

  @Test
  void aStoredResponsePastItsRefreshPointIsRefreshedAtOnce(@TempDir Path cacheDir) {
    store = dev.staplekeeper.agent.store.FileResponseStore.open(cacheDir);
    StapleService before = service();
    staple(before);
    scheduler.runDue();
    before.close();

    scheduler = new ManualScheduler(clock);
    clock.advance(Duration.ofDays(4));
    StapleService after = service();
    after.loadStored();
    scheduler.advance(Duration.ofSeconds(3));
    assertThat(responder.calls).as("nothing fetched for a certificate not presented").hasSize(1);
    staple(after);
    scheduler.advance(Duration.ofSeconds(3));
    assertThat(responder.calls).hasSize(2);
  }

  @Test
  void expiredAndFutureDatedStoredResponsesAreSkippedAndExpiredOnesRemoved(@TempDir Path cacheDir)
      throws Exception {
    store = dev.staplekeeper.agent.store.FileResponseStore.open(cacheDir);
    StapleService before = service();
    staple(before);
    scheduler.runDue();
    before.close();

    scheduler = new ManualScheduler(clock);
    clock.advance(Duration.ofDays(8));
    StapleService after = service();
    assertThat(after.loadStored()).isZero();
    assertThat(staple(after)).isNull();
    try (var files = java.nio.file.Files.list(cacheDir)) {
      assertThat(files.map(f -> f.getFileName().toString()))
          .as("expired response removed, its high-water mark kept")
          .noneMatch(n -> n.endsWith(".ocsp"))
          .anyMatch(n -> n.endsWith(".mark"));
    }

    clock.set(Instant.now().minus(Duration.ofHours(3)));
    scheduler = new ManualScheduler(clock);
    responder.answer = now -> fail("down");
    store.save(
        pki.server(),
        pki.intermediate(),
        new ResponseValidator(Duration.ofMinutes(5))
            .validate(
                goodWeek(Instant.now()),
                CertId.of(pki.server(), pki.intermediate()),
                pki.intermediate(),
                Instant.now()));
    StapleService future = service();
    assertThat(future.loadStored()).as("thisUpdate 3 h ahead of this clock").isZero();
    assertThat(staple(future)).isNull();
  }

  // ---- recovery after an expiry (issue 8 point 1) ----

  byte[] goodFor(Duration validity, Instant now) {
    return factory.forCertificate(pki.server()).thisUpdate(now).validity(validity).build();
  }

  /** Calls the responder got in [from, to). */
  long callsBetween(Instant from, Instant to) {
    return responder.calls.stream().filter(t -> !t.isBefore(from) && t.isBefore(to)).count();
  }

  @Test
  void afterAnExpiryHandshakesHastenAFetchAtMostOncePerMissRetryIntervalWithoutWaiting() {
    StapleService s = service();
    responder.answer = now -> goodFor(Duration.ofMinutes(2), now);
    staple(s);
    scheduler.runDue();
    assertThat(staple(s)).isNotNull();
    responder.answer = now -> fail("HTTP 500");
    // down for 3 minutes, a handshake every second: the held response runs out on the way
    Instant downFrom = clock.instant();
    int unstapled = 0;
    for (int i = 0; i < 180; i++) {
      scheduler.advance(Duration.ofSeconds(1));
      unstapled += staple(s) == null ? 1 : 0;
    }
    assertThat(unstapled).as("expired: nothing stapled").isGreaterThan(50);
    Instant expiredAt = downFrom.plus(Duration.ofMinutes(2));
    long during = callsBetween(expiredAt, clock.instant());
    // one per 5 s from handshakes (60 s / 5 s), never one per handshake
    assertThat(during).as("requests in the last 60 s of the outage").isBetween(10L, 13L);
    for (int i = 1; i < responder.calls.size(); i++) {
      Duration gap = Duration.between(responder.calls.get(i - 1), responder.calls.get(i));
      assertThat(gap).as("gap before call %d", i).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
    }
    responder.answer = this::goodWeek;
    Instant back = clock.instant();
    Instant stapledAt = null;
    for (int i = 0; i < 30 && stapledAt == null; i++) {
      scheduler.advance(Duration.ofSeconds(1));
      if (staple(s) != null) {
        stapledAt = clock.instant();
      }
    }
    assertThat(stapledAt).as("stapled again").isNotNull();
    assertThat(Duration.between(back, stapledAt)).isLessThanOrEqualTo(Duration.ofSeconds(6));
  }

  @Test
  void withoutHandshakesTheRetryCapWhileNothingValidIsHeldIsMissRetryMaxBackoff() {
    StapleService s = service(c -> c.retryMaxBackoff(Duration.ofHours(1)));
    responder.answer = now -> goodFor(Duration.ofMinutes(2), now);
    Object keyManager = new Object(); // presents the certificate: it is never let go
    s.presented(keyManager, List.<X509Certificate[]>of(chain));
    scheduler.runDue();
    responder.answer = now -> fail("connection refused");
    scheduler.advance(Duration.ofMinutes(20)); // no handshakes at all
    Instant expired = responder.calls.get(0).plus(Duration.ofMinutes(2));
    List<Instant> after =
        responder.calls.stream().filter(t -> t.isAfter(expired.plusSeconds(60))).toList();
    for (int i = 1; i < after.size(); i++) {
      assertThat(Duration.between(after.get(i - 1), after.get(i)))
          .isLessThanOrEqualTo(Duration.ofSeconds(30));
    }
    assertThat(after.size()).as("17 min at one per 30 s").isGreaterThanOrEqualTo(30);
    responder.answer = this::goodWeek;
    scheduler.advance(Duration.ofSeconds(31));
    assertThat(staple(s)).as("stapled within the miss cap, without a handshake").isNotNull();
    java.lang.ref.Reference.reachabilityFence(keyManager);
  }

  @Test
  void retriesGetDenserAsTheHeldResponseNearsItsEnd() {
    StapleService s = service();
    responder.answer = now -> goodFor(Duration.ofHours(1), now);
    staple(s);
    scheduler.runDue();
    Instant first = responder.calls.get(0);
    responder.answer = now -> fail("HTTP 500");
    Instant stapleUntil = first.plus(Duration.ofHours(1)).minusSeconds(2);
    scheduler.advance(Duration.between(clock.instant(), stapleUntil.minusMillis(1)));
    assertThat(staple(s)).isNotNull();
    // backoff alone (cap 10 min) would leave the last 10 minutes with one attempt at most
    assertThat(callsBetween(stapleUntil.minus(Duration.ofMinutes(5)), stapleUntil))
        .as("attempts in the last 5 minutes")
        .isGreaterThanOrEqualTo(4);
    assertThat(callsBetween(stapleUntil.minus(Duration.ofMinutes(1)), stapleUntil))
        .as("attempts in the last minute")
        .isGreaterThanOrEqualTo(2);
    // and still no hammering: a few dozen over the 30 min of failures
    assertThat(responder.calls.size()).isLessThan(40);
  }

  // ---- certificates let go (issue 12) ----

  /** A store that only records what was deleted. */
  static final class RecordingStore implements ResponseStore {
    final List<CertId> deleted = new ArrayList<>();

    @Override
    public void save(X509Certificate cert, X509Certificate issuer, ValidatedResponse response) {}

    @Override
    public List<Stored> loadAll() {
      return List.of();
    }

    @Override
    public void delete(CertId id, String why) {
      deleted.add(id);
    }
  }

  @Test
  void aCertificateNoContextPresentsAndNoHandshakeAsksForIsLetGoAfterOneValidityWindow() {
    RecordingStore recording = new RecordingStore();
    store = recording;
    Duration validity = Duration.ofHours(2);
    responder.answer = now -> goodFor(validity, now);
    StapleService s = service();
    Object keyManager = new Object();
    s.presented(keyManager, List.<X509Certificate[]>of(chain));
    scheduler.runDue();
    assertThat(staple(s)).isNotNull();

    // still presented: idle for three windows, it keeps being refreshed
    scheduler.advance(validity.multipliedBy(3));
    int whilePresented = responder.calls.size();
    assertThat(whilePresented).isGreaterThanOrEqualTo(6);
    assertThat(recording.deleted).isEmpty();

    // the context's latest scan no longer presents it: let go within 1.5 windows, then silence
    s.presented(keyManager, List.of());
    scheduler.advance(validity.multipliedBy(3).dividedBy(2));
    int atRetire = responder.calls.size();
    assertThat(recording.deleted).containsExactly(CertId.of(chain[0], chain[1]));
    assertThat(s.describe()).isEmpty();
    scheduler.advance(Duration.ofDays(7));
    assertThat(responder.calls).hasSize(atRetire);

    // asked for again: tracked again
    staple(s);
    scheduler.runDue();
    assertThat(staple(s)).isNotNull();
    assertThat(responder.calls).hasSize(atRetire + 1);
  }

  @Test
  void aCertificateHandshakesAskForIsNeverLetGoEvenWhenNoContextPresentsIt() {
    RecordingStore recording = new RecordingStore();
    store = recording;
    responder.answer = now -> goodFor(Duration.ofHours(2), now);
    StapleService s = service();
    staple(s);
    scheduler.runDue();
    for (int i = 0; i < 10 * 6; i++) { // 10 windows, a handshake every 20 minutes
      scheduler.advance(Duration.ofMinutes(20));
      assertThat(staple(s)).isNotNull();
    }
    assertThat(recording.deleted).isEmpty();
    assertThat(s.describe()).hasSize(1);
  }

  @Test
  void retireAfterOverridesTheValidityWindow() {
    RecordingStore recording = new RecordingStore();
    store = recording;
    StapleService s = service(c -> c.retireAfter(Duration.ofDays(30)));
    staple(s);
    scheduler.runDue();
    scheduler.advance(Duration.ofDays(21)); // three week-long windows, idle, never presented
    assertThat(recording.deleted).isEmpty();
    scheduler.advance(Duration.ofDays(14));
    assertThat(recording.deleted).hasSize(1);
  }

  // ---- eviction (issue 9 point 3) ----

  @Test
  void aCertificateEvictedForSizeDoesNotMakeHandshakesWaitAgain() {
    java.util.logging.Logger jul = java.util.logging.Logger.getLogger("dev.staplekeeper");
    List<java.util.logging.LogRecord> records = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.logging.Handler h =
        new java.util.logging.Handler() {
          @Override
          public void publish(java.util.logging.LogRecord r) {
            records.add(r);
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    jul.addHandler(h);
    try {
      X509Certificate[] other = pki.issueLeaf("other.test", pki.ocspUrl()).chain();
      // nobody runs the fetches (a hanging responder): the cold wait is spent in real time
      StapleService s = service(c -> c.cacheSize(1).coldWait(Duration.ofMillis(800)));
      long t0 = System.nanoTime();
      s.responses("OCSP", chain);
      assertThat(millisSince(t0)).as("first sight: one cold wait").isGreaterThanOrEqualTo(700);
      t0 = System.nanoTime();
      s.responses("OCSP", other); // pushes chain[0] out of a cache of one
      s.responses("OCSP", chain); // and back in: pushes other out
      s.responses("OCSP", other);
      long readmitted = millisSince(t0);
      assertThat(readmitted)
          .as("re-admitted certificates do not cold-wait (one cold wait for other)")
          .isLessThan(1500);
      long warnings =
          records.stream()
              .filter(r -> r.getLevel() == java.util.logging.Level.WARNING)
              .filter(r -> String.valueOf(r.getMessage()).contains("cacheSize"))
              .count();
      assertThat(warnings).as("one WARNING saying to raise cacheSize").isEqualTo(1);
    } finally {
      jul.removeHandler(h);
    }
  }

  static long millisSince(long t0) {
    return (System.nanoTime() - t0) / 1_000_000;
  }
}
