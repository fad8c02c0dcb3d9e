package dev.staplekeeper.agent.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.staplekeeper.agent.ocsp.CertId;
import dev.staplekeeper.agent.ocsp.ResponseValidator;
import dev.staplekeeper.agent.ocsp.ValidatedResponse;
import dev.staplekeeper.agent.staple.ResponseStore;
import dev.staplekeeper.testapps.ocsp.OcspResponseFactory;
import dev.staplekeeper.testapps.pki.TestPki;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 9 point 4: a store directory others can write cannot be turned against the server. */
class HostileStoreTest {
  @TempDir static Path pkiDir;
  static TestPki pki;
  static OcspResponseFactory factory;
  static ValidatedResponse response;
  static String stem;

  @TempDir Path root;
  Path dir;
  final List<LogRecord> logged = new CopyOnWriteArrayList<>();
  final Logger jul = Logger.getLogger(FileResponseStore.class.getName());
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
  static void pki() throws Exception {
    pki = TestPki.create(pkiDir, URI.create("http://127.0.0.1:1/ocsp"), false);
    factory = new OcspResponseFactory(pki);
    CertId id = CertId.of(pki.server(), pki.intermediate());
    response =
        new ResponseValidator(Duration.ofMinutes(5))
            .validate(
                factory.forCertificate(pki.server()).build(),
                id,
                pki.intermediate(),
                Instant.now());
    stem = id.fileStem();
  }

  @BeforeEach
  void setUp() throws IOException {
    dir = Files.createDirectory(root.resolve("cache"), FileResponseStore.ownerOnly(true));
    jul.addHandler(capture);
  }

  @AfterEach
  void tearDown() {
    jul.removeHandler(capture);
  }

  /** loadAll on another thread: a store that blocks fails the test instead of hanging it. */
  private List<ResponseStore.Stored> loadWithin(ResponseStore store, Duration limit)
      throws Exception {
    return CompletableFuture.supplyAsync(store::loadAll)
        .get(limit.toMillis(), TimeUnit.MILLISECONDS);
  }

  private String log() {
    StringBuilder sb = new StringBuilder();
    for (LogRecord r : logged) {
      sb.append(r.getLevel())
          .append(' ')
          .append(new java.util.logging.SimpleFormatter().formatMessage(r))
          .append('\n');
    }
    return sb.toString();
  }

  @Test
  void aFifoNamedLikeAResponseNeverBlocksTheLoad() throws Exception {
    ResponseStore store = FileResponseStore.open(dir);
    Path fifo = dir.resolve("aaaa-1.ocsp");
    Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assertThat(p.waitFor()).isZero();
    store.save(pki.server(), pki.intermediate(), response);

    assertThat(loadWithin(store, Duration.ofSeconds(5)))
        .extracting(s -> s.name)
        .containsExactly(stem + ".ocsp");
    assertThat(log()).contains("aaaa-1.ocsp").contains("FIFO, socket or device");
  }

  @Test
  void aSymbolicLinkToDevZeroIsNotRead() throws Exception {
    Files.createSymbolicLink(dir.resolve(stem + ".ocsp"), Path.of("/dev/zero"));
    ResponseStore store = FileResponseStore.open(dir);

    assertThat(loadWithin(store, Duration.ofSeconds(5))).isEmpty();
    assertThat(log()).contains("it is a symbolic link, not a regular file");
  }

  @Test
  void aSymbolicLinkToAValidFileOutsideIsNotFollowed() throws Exception {
    Path outside = Files.createDirectory(root.resolve("outside"));
    FileResponseStore.open(outside).save(pki.server(), pki.intermediate(), response);
    Files.createSymbolicLink(dir.resolve(stem + ".ocsp"), outside.resolve(stem + ".ocsp"));
    ResponseStore store = FileResponseStore.open(dir);
    assertThat(FileResponseStore.open(outside).loadAll()).hasSize(1);

    assertThat(loadWithin(store, Duration.ofSeconds(5))).isEmpty();
  }

  @Test
  void fourHundredPlantedOneMegabyteFilesAreNeverRead() throws Exception {
    for (int i = 0; i < 400; i++) {
      try (RandomAccessFile f = new RandomAccessFile(dir.resolve(i + ".ocsp").toFile(), "rw")) {
        f.setLength(1 << 20); // sparse: 400 MB apparent, little disk
      }
    }
    // and 200 files just under the per-file bound: the total bound stops the load
    for (int i = 0; i < 200; i++) {
      try (RandomAccessFile f =
          new RandomAccessFile(dir.resolve("b" + i + ".ocsp").toFile(), "rw")) {
        f.setLength(FileResponseStore.MAX_FILE_BYTES);
      }
    }
    ResponseStore store = FileResponseStore.open(dir);
    Runtime rt = Runtime.getRuntime();
    System.gc();
    long before = rt.totalMemory() - rt.freeMemory();

    assertThat(loadWithin(store, Duration.ofSeconds(30))).isEmpty();

    assertThat(((FileResponseStore) store).bytesReadByLastLoad())
        .isLessThanOrEqualTo(FileResponseStore.MAX_TOTAL_BYTES);
    assertThat(log())
        .contains("larger than any stored response can be")
        .contains("stopped loading stored responses");
    long grown = rt.totalMemory() - rt.freeMemory() - before;
    System.out.printf("heap grew by %d KiB during the load%n", grown / 1024);
  }

  @Test
  void onlyStapleKeepersOwnStaleTemporaryFilesAreDeleted() throws Exception {
    FileTime old = FileTime.from(Instant.now().minus(Duration.ofHours(2)));
    String own = FileResponseStore.TEMP_PREFIX + "0123456789abcdef0123456789abcdef.tmp";
    String ownFresh = FileResponseStore.TEMP_PREFIX + "fedcba9876543210fedcba9876543210.tmp";
    List<String> foreign = List.of("backup.tmp", ".x.tmp", "." + stem + ".1234.abcd.tmp");
    for (String name : foreign) {
      Files.writeString(dir.resolve(name), "someone else's");
      Files.setLastModifiedTime(dir.resolve(name), old);
    }
    Files.writeString(dir.resolve(own), "ours");
    Files.setLastModifiedTime(dir.resolve(own), old);
    Files.writeString(dir.resolve(ownFresh), "ours, a writer still busy");

    FileResponseStore.open(dir).loadAll();

    assertThat(dir.resolve(own)).doesNotExist();
    assertThat(dir.resolve(ownFresh)).exists();
    for (String name : foreign) {
      assertThat(dir.resolve(name)).exists();
    }
  }

  @Test
  void savesLeaveOnlyTheResponseFileAndItsMark() throws Exception {
    ResponseStore store = FileResponseStore.open(dir);
    for (int i = 0; i < 5; i++) {
      store.save(pki.server(), pki.intermediate(), response);
    }
    try (var files = Files.list(dir)) {
      assertThat(files.map(f -> f.getFileName().toString()))
          .containsExactlyInAnyOrder(stem + ".ocsp", stem + ".mark");
    }
  }

  @Test
  void aDirectoryWritableByOthersIsReportedOrRefused() throws Exception {
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));

    assertThat(FileResponseStore.open(dir, true)).isSameAs(ResponseStore.NONE);
    assertThat(log())
        .contains("refuses the response store directory")
        .contains("writable by others");
    logged.clear();

    assertThat(FileResponseStore.open(dir, false)).isInstanceOf(FileResponseStore.class);
    assertThat(logged)
        .anySatisfy(
            r -> {
              assertThat(r.getLevel()).isEqualTo(Level.WARNING);
              assertThat(r.getMessage()).contains("is not private");
            });
    assertThat(log()).contains("writable by its group").contains("writable by others");
  }

  @Test
  void aPrivateDirectoryIsUsedWithoutAWord() throws Exception {
    assertThat(FileResponseStore.open(dir, true)).isInstanceOf(FileResponseStore.class);
    assertThat(logged).noneSatisfy(r -> assertThat(r.getLevel()).isEqualTo(Level.WARNING));
  }

  @Test
  void aDirectoryOwnedByAnotherUserIsReportedOrRefused() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "chown needs root");
    Files.setOwner(
        dir, dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));

    assertThat(FileResponseStore.open(dir, true)).isSameAs(ResponseStore.NONE);
    assertThat(log()).contains("owned by nobody, not by root");
  }

  @Test
  void aDirectorySwappedForASymbolicLinkIsNotWrittenThrough() throws Exception {
    ResponseStore store = FileResponseStore.open(dir);
    Path moved = root.resolve("moved");
    Path outside = Files.createDirectory(root.resolve("outside"));
    Files.move(dir, moved);
    Files.createSymbolicLink(dir, outside);

    store.save(pki.server(), pki.intermediate(), response);

    try (var files = Files.list(outside)) {
      assertThat(files).as("nothing written through the link").isEmpty();
    }
    assertThat(moved.resolve(stem + ".ocsp")).as("still written where it was opened").exists();
  }
}
