package dev.staplekeeper.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.staplekeeper.testapps.checker.StapleChecker;
import dev.staplekeeper.testapps.checker.StapleVerdict;
import dev.staplekeeper.testapps.pki.TestPki;
import dev.staplekeeper.testapps.process.ChildJvm;
import dev.staplekeeper.testapps.responder.FaultMode;
import dev.staplekeeper.testapps.responder.OcspResponder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What happens when StapleKeeper cannot or must not work: the server starts and handshakes as the
 * JDK alone would. Also the stock JDK's own failure, so the outage tests are known to be able to
 * fail.
 */
class FallbackIT {
  @TempDir static Path dir;
  static OcspResponder responder;
  static TestPki pki;

  @BeforeAll
  static void responder() throws Exception {
    responder = OcspResponder.bind(0);
    pki = TestPki.create(dir, responder.url(), false);
    responder.start(pki, Duration.ofMinutes(5));
  }

  @AfterAll
  static void stop() {
    responder.close();
  }

  static Stream<Path> jdks() {
    return ForkedServer.jdks().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("jdks")
  void anExceptionInsideStapleKeeperLeavesTheJdksOwnStaplingWorking(Path jdk) throws Exception {
    responder.mode(FaultMode.HEALTHY);
    try (ChildJvm server =
        ForkedServer.start(
            "broken-" + ForkedServer.jdkName(jdk),
            jdk,
            dir,
            List.of(
                "-javaagent:" + ForkedServer.agentJar(),
                "-Dstaplekeeper.failLookupsForTesting=true"))) {
      // logged once the start is done and the server made its SSLContext: maybe just after READY
      assertThat(server.awaitOutput("active on Java", Duration.ofSeconds(20))).isTrue();
      for (String protocol : List.of("TLSv1.2", "TLSv1.3")) {
        StapleVerdict r = StapleChecker.check("127.0.0.1", server.port(), protocol, pki);
        // stapled by the JDK's own StatusResponseManager, reached because the advice fell through
        assertThat(r.validStaple()).as("%s", r).isTrue();
      }
    }
  }

  @Test
  void anInvalidSettingLeavesTheServerAsTheJdkRunsIt() throws Exception {
    Path jdk = ForkedServer.jdks().get(0);
    try (ChildJvm server =
        ForkedServer.start(
            "badconfig",
            jdk,
            dir,
            List.of(
                "-javaagent:" + ForkedServer.agentJar() + "=refreshFraction=2",
                "-Dstaplekeeper.coldWait=forever"))) {
      assertThat(server.output())
          .contains("StapleKeeper")
          .contains("is NOT active, nothing was patched")
          .contains("refreshFraction='2'")
          .contains("0.05 to 0.95")
          .contains("staplekeeper.coldWait='forever'");
      StapleVerdict r = StapleChecker.check("127.0.0.1", server.port(), "TLSv1.3", pki);
      // without the agent nothing turned server stapling on: a plain, working handshake
      assertThat(r.stapled()).isFalse();
      assertThat(server.isAlive()).isTrue();
    }
  }

  @Test
  void aMisspelledEnvironmentVariableStopsTheAgentLikeAMisspelledProperty() throws Exception {
    Path java = ForkedServer.jdks().get(0).resolve("bin/java");
    ProcessBuilder pb =
        new ProcessBuilder(java.toString(), "-javaagent:" + ForkedServer.agentJar(), "-version")
            .redirectErrorStream(true);
    pb.environment().put("STAPLEKEEPER_CACHEDIR", "/var/lib/staplekeeper");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(out)
        .contains("SEVERE: StapleKeeper")
        .contains("is NOT active, nothing was patched")
        .contains("unknown environment variable STAPLEKEEPER_CACHEDIR")
        .contains("STAPLEKEEPER_CACHE_DIR")
        .doesNotContain("active on Java");
    assertThat(p.exitValue()).as("the JVM itself runs on: %s", out).isZero();
  }

  @Test
  void disabledAgentPatchesNothing() throws Exception {
    Path jdk = ForkedServer.jdks().get(0);
    try (ChildJvm server =
        ForkedServer.start(
            "disabled",
            jdk,
            dir,
            List.of("-javaagent:" + ForkedServer.agentJar(), "-Dstaplekeeper.enabled=false"))) {
      assertThat(server.output()).contains("is disabled").doesNotContain("active on Java");
      assertThat(StapleChecker.check("127.0.0.1", server.port(), "TLSv1.3", pki).stapled())
          .isFalse();
    }
  }

  /** The control: the stock JDK loses the staple when its cache entry ages out during a fault. */
  @Test
  void stockJdkLosesTheStapleDuringAFaultWhichTheAgentBridges() throws Exception {
    Path jdk = ForkedServer.jdks().get(0);
    responder.mode(FaultMode.HEALTHY);
    try (ChildJvm server =
        ForkedServer.start(
            "stock-jdk",
            jdk,
            dir,
            List.of(
                "-Djdk.tls.server.enableStatusRequestExtension=true",
                "-Djdk.tls.stapling.cacheLifetime=1"))) {
      assertThat(StapleChecker.check("127.0.0.1", server.port(), "TLSv1.3", pki).stapled())
          .isTrue();
      responder.mode(FaultMode.UNAUTHORIZED);
      Thread.sleep(1500);
      StapleVerdict r = StapleChecker.check("127.0.0.1", server.port(), "TLSv1.3", pki);
      assertThat(r.stapled())
          .as("stock JDK after its cache lifetime, responder unauthorized")
          .isFalse();
    } finally {
      responder.mode(FaultMode.HEALTHY);
    }
  }
}
