package dev.staplekeeper.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.staplekeeper.testapps.checker.StapleChecker;
import dev.staplekeeper.testapps.checker.StapleVerdict;
import dev.staplekeeper.testapps.pki.TestPki;
import dev.staplekeeper.testapps.process.ChildJvm;
import dev.staplekeeper.testapps.responder.FaultMode;
import dev.staplekeeper.testapps.responder.OcspResponder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Prefetch and the persistent store, through real restarts of a forked server. */
class RestartIT {
  @TempDir Path dir;

  List<String> agent(Path cacheDir, String... extra) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "-javaagent:" + ForkedServer.agentJar(),
                "-Dstaplekeeper.cacheDir=" + cacheDir,
                "-Dstaplekeeper.coldWait=0ms",
                "-Dstaplekeeper.retryInitialBackoff=200ms",
                "-Dstaplekeeper.retryMaxBackoff=1s"));
    args.addAll(List.of(extra));
    return args;
  }

  static Stream<Path> jdks() {
    return ForkedServer.jdks().stream();
  }

  @Test
  void theFirstHandshakeAfterARestartDuringAnOutageCarriesTheStoredStaple() throws Exception {
    Path jdk = ForkedServer.jdks().get(ForkedServer.jdks().size() - 1);
    Path cache = dir.resolve("cache");
    try (OcspResponder responder = OcspResponder.bind(0)) {
      TestPki pki = TestPki.create(dir.resolve("pki"), responder.url(), true);
      responder.start(pki, Duration.ofMinutes(10));
      StapleVerdict before;
      try (ChildJvm server = ForkedServer.start("restart-1", jdk, pki.dir(), agent(cache))) {
        // prefetch: stapled from the first handshake even with coldWait=0
        awaitStored(cache);
        before = StapleChecker.check("127.0.0.1", server.port(), "TLSv1.3", pki);
        assertThat(before.validStaple()).as("%s", before).isTrue();
      }
      responder.mode(FaultMode.DOWN);
      try (ChildJvm server = ForkedServer.start("restart-2", jdk, pki.dir(), agent(cache))) {
        StapleVerdict first = StapleChecker.check("127.0.0.1", server.port(), "TLSv1.2", pki);
        assertThat(first.validStaple()).as("first after restart: %s", first).isTrue();
        assertThat(first.raw()).isEqualTo(before.raw());
        // lines of the start come out with the start line, just after the first SSLContext
        assertThat(server.awaitOutput("loaded stored OCSP response", Duration.ofSeconds(10)))
            .as("%s", server.tail())
            .isTrue();
      }
    }
  }

  @Test
  void theFirstHandshakeAfterAColdStartIsStapled() throws Exception {
    for (Path jdk : ForkedServer.jdks()) {
      try (OcspResponder responder = OcspResponder.bind(0)) {
        TestPki pki =
            TestPki.create(dir.resolve("cold-" + jdk.getFileName()), responder.url(), true);
        responder.start(pki, Duration.ofMinutes(10));
        long t0 = System.nanoTime();
        try (ChildJvm server =
            ForkedServer.start(
                "coldstart-" + ForkedServer.jdkName(jdk),
                jdk,
                pki.dir(),
                List.of("-javaagent:" + ForkedServer.agentJar()))) {
          long ready = (System.nanoTime() - t0) / 1_000_000;
          StapleVerdict first = StapleChecker.check("127.0.0.1", server.port(), "TLSv1.3", pki);
          long stapled = (System.nanoTime() - t0) / 1_000_000;
          System.out.printf(
              "%s cold start: READY after %d ms, first handshake (%d ms) stapled=%s after %d ms%n",
              jdk.getFileName(), ready, first.handshakeMillis(), first.validStaple(), stapled);
          assertThat(first.validStaple()).as("first handshake after start: %s", first).isTrue();
          assertThat(responder.requestCount())
              .as("one prefetch, no fetch per handshake")
              .isEqualTo(1);
        }
      }
    }
  }

  @Test
  void badFilesInTheStoreAreSkippedWithAClearLineAndNeverStapled() throws Exception {
    Path jdk = ForkedServer.jdks().get(0);
    Path cache = dir.resolve("cache");
    Files.createDirectories(cache);
    try (OcspResponder responder = OcspResponder.bind(0)) {
      TestPki pki = TestPki.create(dir.resolve("pki"), responder.url(), false);
      responder.start(pki, Duration.ofMinutes(10));
      responder.mode(FaultMode.DOWN);
      Files.writeString(cache.resolve("garbage.ocsp"), "this is not a response");
      Files.write(cache.resolve("empty.ocsp"), new byte[0]);
      try (ChildJvm server = ForkedServer.start("badfiles", jdk, pki.dir(), agent(cache))) {
        // both lines are held until the start line and then logged one after the other
        assertThat(server.awaitOutput("garbage.ocsp", Duration.ofSeconds(10))).isTrue();
        assertThat(server.awaitOutput("empty.ocsp", Duration.ofSeconds(10))).isTrue();
        assertThat(server.output()).contains("skipped stored response file");
        assertThat(StapleChecker.check("127.0.0.1", server.port(), "TLSv1.3", pki).stapled())
            .isFalse();
        responder.mode(FaultMode.HEALTHY);
        Instant deadline = Instant.now().plusSeconds(10);
        StapleVerdict r;
        do {
          Thread.sleep(200);
          r = StapleChecker.check("127.0.0.1", server.port(), "TLSv1.3", pki);
        } while (!r.stapled() && Instant.now().isBefore(deadline));
        assertThat(r.validStaple()).as("%s", r).isTrue();
      }
    }
  }

  @Test
  void aReadOnlyStoreIsReportedAndStaplingGoesOnInMemory() throws Exception {
    Path jdk = ForkedServer.jdks().get(0);
    Path notADir = dir.resolve("file");
    Files.writeString(notADir, "x");
    try (OcspResponder responder = OcspResponder.bind(0)) {
      TestPki pki = TestPki.create(dir.resolve("pki"), responder.url(), false);
      responder.start(pki, Duration.ofMinutes(10));
      try (ChildJvm server =
          ForkedServer.start(
              "nostore",
              jdk,
              pki.dir(),
              agent(notADir.resolve("cache"), "-Dstaplekeeper.coldWait=2s"))) {
        assertThat(
                server.awaitOutput(
                    "cannot use the response store directory", Duration.ofSeconds(10)))
            .as("%s", server.tail())
            .isTrue();
        assertThat(StapleChecker.check("127.0.0.1", server.port(), "TLSv1.3", pki).validStaple())
            .isTrue();
      }
    }
  }

  @Test
  void twoServersSharingTheStoreBothStapleAndLeaveOneIntactFile() throws Exception {
    Path jdk = ForkedServer.jdks().get(0);
    Path cache = dir.resolve("shared");
    try (OcspResponder responder = OcspResponder.bind(0)) {
      TestPki pki = TestPki.create(dir.resolve("pki"), responder.url(), false);
      // 60 s: the restarted server c must still find the stored response valid after a slow start
      // on a loaded machine (patching alone took ~10 s there); refreshes every 3 s
      responder.start(pki, Duration.ofSeconds(60));
      List<String> args =
          agent(cache, "-Dstaplekeeper.refreshFraction=0.05", "-Dstaplekeeper.refreshJitter=0");
      try (ChildJvm a = ForkedServer.start("shared-a", jdk, pki.dir(), args);
          ChildJvm b = ForkedServer.start("shared-b", jdk, pki.dir(), args)) {
        Thread.sleep(4000); // both refresh every 3 s, writing the same file
        assertThat(StapleChecker.check("127.0.0.1", a.port(), "TLSv1.3", pki).validStaple())
            .isTrue();
        assertThat(StapleChecker.check("127.0.0.1", b.port(), "TLSv1.3", pki).validStaple())
            .isTrue();
        assertThat(a.output() + b.output()).doesNotContain("could not store");
        // stop the writes before stopping the servers: a server killed in the middle of a write
        // leaves its temporary file (swept at a later start once an hour old), which is not what
        // this test is about; fetches that fail write nothing, and 1 s lets one in flight finish
        responder.mode(FaultMode.DOWN);
        Thread.sleep(1000);
      }
      try (var files = Files.list(cache)) {
        List<String> names = files.map(f -> f.getFileName().toString()).sorted().toList();
        assertThat(names).as("one response and its high-water mark, no temporary file").hasSize(2);
        assertThat(names.get(0)).endsWith(".mark");
        assertThat(names.get(1)).isEqualTo(names.get(0).replaceFirst("\\.mark$", ".ocsp"));
      }
      try (ChildJvm c = ForkedServer.start("shared-c", jdk, pki.dir(), agent(cache))) {
        assertThat(StapleChecker.check("127.0.0.1", c.port(), "TLSv1.3", pki).validStaple())
            .isTrue();
      }
    }
  }

  static void awaitStored(Path cache) throws InterruptedException, java.io.IOException {
    Instant deadline = Instant.now().plusSeconds(10);
    while (Instant.now().isBefore(deadline)) {
      if (Files.isDirectory(cache)) {
        try (var files = Files.list(cache)) {
          if (files.anyMatch(f -> f.toString().endsWith(".ocsp"))) {
            return;
          }
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no response stored in " + cache);
  }
}
