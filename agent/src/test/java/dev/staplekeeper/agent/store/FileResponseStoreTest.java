package dev.staplekeeper.agent.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.staplekeeper.agent.ocsp.CertId;
import dev.staplekeeper.agent.ocsp.ResponseValidator;
import dev.staplekeeper.agent.ocsp.ValidatedResponse;
import dev.staplekeeper.agent.staple.ResponseStore;
import dev.staplekeeper.testapps.ocsp.OcspResponseFactory;
import dev.staplekeeper.testapps.pki.IssuedCert;
import dev.staplekeeper.testapps.pki.TestPki;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileResponseStoreTest {
  @TempDir static Path pkiDir;
  static TestPki pki;
  static OcspResponseFactory factory;
  static ResponseValidator validator = new ResponseValidator(Duration.ofMinutes(5));

  @TempDir Path dir;

  @BeforeAll
  static void pki() throws IOException {
    pki = TestPki.create(pkiDir, URI.create("http://127.0.0.1:1/ocsp"), false);
    factory = new OcspResponseFactory(pki);
  }

  static ValidatedResponse response(X509Certificate cert, Instant thisUpdate) throws Exception {
    byte[] der =
        factory.forCertificate(cert).thisUpdate(thisUpdate).validity(Duration.ofHours(2)).build();
    return validator.validate(
        der, CertId.of(cert, pki.intermediate()), pki.intermediate(), Instant.now());
  }

  @Test
  void savedResponsesComeBackByteForByteWithTheirCertificates() throws Exception {
    ResponseStore store = FileResponseStore.open(dir);
    ValidatedResponse r = response(pki.server(), Instant.now());
    store.save(pki.server(), pki.intermediate(), r);
    List<ResponseStore.Stored> loaded = store.loadAll();
    assertThat(loaded)
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.der).isEqualTo(r.der());
              assertThat(s.cert).isEqualTo(pki.server());
              assertThat(s.issuer).isEqualTo(pki.intermediate());
              assertThat(s.name).isEqualTo(r.certId().fileStem() + ".ocsp");
            });
  }

  @Test
  void aNewerResponseReplacesTheFileAndLeavesNoTemporaryFiles() throws Exception {
    ResponseStore store = FileResponseStore.open(dir);
    store.save(
        pki.server(), pki.intermediate(), response(pki.server(), Instant.now().minusSeconds(60)));
    ValidatedResponse newer = response(pki.server(), Instant.now());
    store.save(pki.server(), pki.intermediate(), newer);
    try (var files = Files.list(dir)) {
      assertThat(files.map(f -> f.getFileName().toString()))
          .as("the response and its high-water mark, no temporary file")
          .containsExactlyInAnyOrder(
              newer.certId().fileStem() + ".ocsp", newer.certId().fileStem() + ".mark");
    }
    assertThat(store.loadAll().get(0).der).isEqualTo(newer.der());
  }

  @Test
  void filesAndACreatedDirectoryAreOwnerOnly() throws Exception {
    Path sub = dir.resolve("created/here");
    ResponseStore store = FileResponseStore.open(sub);
    store.save(pki.server(), pki.intermediate(), response(pki.server(), Instant.now()));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sub)))
        .isEqualTo("rwx------");
    try (var files = Files.list(sub)) {
      assertThat(files)
          .hasSize(2)
          .allSatisfy(
              f ->
                  assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
                      .isEqualTo("rw-------"));
    }
  }

  @Test
  void corruptTruncatedForeignAndRenamedFilesAreSkipped() throws Exception {
    ResponseStore store = FileResponseStore.open(dir);
    ValidatedResponse r = response(pki.server(), Instant.now());
    store.save(pki.server(), pki.intermediate(), r);
    Path good = dir.resolve(r.certId().fileStem() + ".ocsp");
    byte[] bytes = Files.readAllBytes(good);

    Files.write(dir.resolve("truncated.ocsp"), java.util.Arrays.copyOf(bytes, bytes.length / 2));
    byte[] flipped = bytes.clone();
    flipped[bytes.length / 2] ^= 0x55;
    Files.write(dir.resolve("flipped.ocsp"), flipped);
    Files.write(dir.resolve("foreign.ocsp"), "not ours".getBytes());
    Files.write(dir.resolve("empty.ocsp"), new byte[0]);
    IssuedCert other = pki.issueLeaf("other.example", pki.ocspUrl());
    Files.write(
        dir.resolve(CertId.of(other.cert(), pki.intermediate()).fileStem() + ".ocsp"), bytes);

    assertThat(store.loadAll())
        .extracting(s -> s.name)
        .containsExactly(good.getFileName().toString());
  }

  @Test
  void aMissingParentThatCannotBeCreatedFallsBackToMemory() throws Exception {
    Path file = dir.resolve("a-file");
    Files.writeString(file, "x");
    assertThat(FileResponseStore.open(file.resolve("sub"))).isSameAs(ResponseStore.NONE);
  }

  @Test
  void aReadOnlyDirectoryStillLoadsAndNeverThrowsOnSave() throws Exception {
    ResponseStore writable = FileResponseStore.open(dir);
    ValidatedResponse r = response(pki.server(), Instant.now());
    writable.save(pki.server(), pki.intermediate(), r);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-x------"));
    try {
      ResponseStore store = FileResponseStore.open(dir);
      assertThat(store.loadAll()).hasSize(1);
      store.save(pki.server(), pki.intermediate(), response(pki.server(), Instant.now()));
      if (!"root".equals(System.getProperty("user.name"))) {
        assertThat(store.loadAll().get(0).der).isEqualTo(r.der());
      }
    } finally {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    }
  }

  @Test
  void concurrentWritersNeverLeaveATornFile() throws Exception {
    List<ValidatedResponse> versions = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      versions.add(response(pki.server(), Instant.now().minusSeconds(i)));
    }
    ResponseStore a = FileResponseStore.open(dir);
    ResponseStore b = FileResponseStore.open(dir);
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<?>> writers = new ArrayList<>();
      for (ResponseStore s : List.of(a, b)) {
        writers.add(
            pool.submit(
                () -> {
                  int i = 0;
                  while (!stop.get()) {
                    s.save(pki.server(), pki.intermediate(), versions.get(i++ % versions.size()));
                  }
                }));
      }
      for (int i = 0; i < 300; i++) {
        List<ResponseStore.Stored> seen = a.loadAll();
        assertThat(seen.size()).isLessThanOrEqualTo(1);
        for (ResponseStore.Stored s : seen) {
          assertThat(versions).anySatisfy(v -> assertThat(v.der()).isEqualTo(s.der));
        }
      }
      stop.set(true);
      for (Future<?> w : writers) {
        w.get();
      }
    } finally {
      stop.set(true);
      pool.shutdownNow();
    }
    assertThat(a.loadAll()).hasSize(1);
  }
}
