package dev.staplekeeper.agent.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.staplekeeper.agent.ocsp.CertId;
import dev.staplekeeper.agent.ocsp.ResponseValidator;
import dev.staplekeeper.agent.ocsp.ValidatedResponse;
import dev.staplekeeper.agent.staple.HighWaterMark;
import dev.staplekeeper.agent.staple.ResponseStore;
import dev.staplekeeper.testapps.ocsp.OcspResponseFactory;
import dev.staplekeeper.testapps.pki.IssuedCert;
import dev.staplekeeper.testapps.pki.TestPki;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9 point 2, the store's half: each certificate's high-water mark is persisted next to its
 * response, never lowered by a save, kept when the response is removed or replaced by a planted
 * file, and read with the same care as responses (regular files only, bounded).
 */
class HighWaterMarkStoreTest {
  @TempDir static Path pkiDir;
  static TestPki pki;
  static OcspResponseFactory factory;
  static final ResponseValidator validator = new ResponseValidator(Duration.ofMinutes(5));
  static CertId id;
  static String stem;
  static Instant now;
  static ValidatedResponse olderGood;
  static ValidatedResponse revoked;

  @TempDir Path root;
  Path dir;

  @BeforeAll
  static void pki() throws Exception {
    pki = TestPki.create(pkiDir, URI.create("http://127.0.0.1:1/ocsp"), false);
    factory = new OcspResponseFactory(pki);
    id = CertId.of(pki.server(), pki.intermediate());
    stem = id.fileStem();
    now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    olderGood =
        validate(
            factory
                .forCertificate(pki.server())
                .thisUpdate(now.minus(Duration.ofHours(1)))
                .validity(Duration.ofDays(7))
                .build());
    revoked =
        validate(
            factory
                .forCertificate(pki.server())
                .revoked(now.minus(Duration.ofMinutes(30)), 1)
                .thisUpdate(now)
                .validity(Duration.ofHours(2))
                .build());
  }

  static ValidatedResponse validate(byte[] der) throws Exception {
    return validator.validate(der, id, pki.intermediate(), now);
  }

  @BeforeEach
  void setUp() throws IOException {
    dir = Files.createDirectory(root.resolve("cache"), FileResponseStore.ownerOnly(true));
  }

  static Map<String, HighWaterMark> marksAfterRestart(Path dir) {
    return FileResponseStore.open(dir).loadMarks();
  }

  @Test
  void aPlantedOlderGoodFileDoesNotLowerTheStoredRevokedMarkAcrossARestart() throws Exception {
    FileResponseStore.open(dir).save(pki.server(), pki.intermediate(), revoked);
    Files.write(
        dir.resolve(stem + ".ocsp"),
        FileResponseStore.encode(pki.server(), pki.intermediate(), olderGood.der()));

    ResponseStore restarted = FileResponseStore.open(dir);
    assertThat(restarted.loadAll())
        .as("the store returns the planted file; StapleService judges it against the mark")
        .singleElement()
        .satisfies(s -> assertThat(s.der).isEqualTo(olderGood.der()));
    assertThat(restarted.loadMarks())
        .containsExactly(
            Map.entry(stem, new HighWaterMark(now, true, now.minus(Duration.ofMinutes(30)))));
  }

  @Test
  void aSaveNeverLowersTheMarkAndADeleteKeepsIt() throws Exception {
    ResponseStore a = FileResponseStore.open(dir);
    ResponseStore b = FileResponseStore.open(dir); // a second server sharing the directory
    a.save(pki.server(), pki.intermediate(), revoked);
    b.save(pki.server(), pki.intermediate(), olderGood);
    assertThat(marksAfterRestart(dir).get(stem)).isEqualTo(HighWaterMark.of(revoked));

    a.delete(id, "expired");
    assertThat(dir.resolve(stem + ".ocsp")).doesNotExist();
    assertThat(marksAfterRestart(dir).get(stem))
        .as("the mark is not tied to the response's validity")
        .isEqualTo(HighWaterMark.of(revoked));
  }

  @Test
  void aRevokedResponseRaisesAGoodMarkAtTheSameThisUpdate() throws Exception {
    ValidatedResponse goodNow =
        validate(
            factory
                .forCertificate(pki.server())
                .thisUpdate(now)
                .validity(Duration.ofDays(7))
                .build());
    ResponseStore store = FileResponseStore.open(dir);
    store.save(pki.server(), pki.intermediate(), goodNow);
    assertThat(marksAfterRestart(dir).get(stem).revoked()).isFalse();
    store.save(pki.server(), pki.intermediate(), revoked);
    assertThat(marksAfterRestart(dir).get(stem).revoked()).isTrue();
    store.save(pki.server(), pki.intermediate(), goodNow);
    assertThat(marksAfterRestart(dir).get(stem).revoked()).isTrue();
  }

  @Test
  void aStoreWithoutMarksFromAnEarlierVersionLoadsAsBefore() throws Exception {
    Files.write(
        dir.resolve(stem + ".ocsp"),
        FileResponseStore.encode(pki.server(), pki.intermediate(), olderGood.der()));
    ResponseStore store = FileResponseStore.open(dir);
    assertThat(store.loadAll()).hasSize(1);
    assertThat(store.loadMarks()).isEmpty();
  }

  @Test
  void hostileMarkFilesAreSkippedWithoutBlockingOrFollowingLinks() throws Exception {
    Path outside = Files.createDirectory(root.resolve("outside"));
    FileResponseStore.open(outside).save(pki.server(), pki.intermediate(), revoked);
    Files.createSymbolicLink(dir.resolve(stem + ".mark"), outside.resolve(stem + ".mark"));
    Files.createSymbolicLink(dir.resolve("a-1.mark"), Path.of("/dev/zero"));
    Process p = new ProcessBuilder("mkfifo", dir.resolve("a-2.mark").toString()).start();
    assertThat(p.waitFor()).isZero();
    try (RandomAccessFile f = new RandomAccessFile(dir.resolve("a-3.mark").toFile(), "rw")) {
      f.setLength(1024 * 1024);
    }
    IssuedCert other = pki.issueLeaf("other.example", pki.ocspUrl());
    String otherStem = CertId.of(other.cert(), pki.intermediate()).fileStem();
    Files.copy(outside.resolve(stem + ".mark"), dir.resolve(otherStem + ".mark"));
    byte[] flipped = Files.readAllBytes(outside.resolve(stem + ".mark"));
    flipped[10] ^= 0x55;
    Files.write(dir.resolve("a-4.mark"), flipped);

    Map<String, HighWaterMark> marks =
        CompletableFuture.supplyAsync(() -> FileResponseStore.open(dir).loadMarks())
            .get(5, TimeUnit.SECONDS);
    assertThat(marks).isEmpty();
  }
}
