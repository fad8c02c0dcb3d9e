package dev.staplekeeper.testapps.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.staplekeeper.testapps.pki.TestPki;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class ChildJvmTest {
  private static final String CLASSPATH = System.getProperty("java.class.path");

  @TempDir Path dir;

  @Test
  @Timeout(60)
  void startsAServerWithPropertiesWaitsForReadyKeepsItsLinesAndStopsIt() throws Exception {
    TestPki pki = TestPki.create(dir.resolve("pki"), URI.create("http://127.0.0.1:9/ocsp"), false);
    Path log = dir.resolve("logs/server.log");
    ChildJvm server =
        ChildJvm.java()
            .name("server")
            .property("java.util.logging.SimpleFormatter.format", "%5$s%n")
            .property("staplekeeper.test.marker", "yes")
            .main(
                CLASSPATH,
                ChildJvm.TEST_APPS_MAIN,
                List.of("jsse-server", "--pki", pki.dir().toString(), "--port", "0"))
            .log(log)
            .start();
    long pid = server.pid();
    try (server) {
      assertThat(server.port()).isPositive();
      assertThat(server.readyField("port")).isEqualTo(Integer.toString(server.port()));
      assertThat(server.readyNanos()).isGreaterThan(server.launchedNanos());
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", server.port()), 2000);
      }
      assertThat(server.output()).contains("READY port=" + server.port());
      assertThat(server.countLines(server.launchedNanos(), "READY port=")).isEqualTo(1);
      assertThat(server.commandLine()).contains("-Dstaplekeeper.test.marker=yes");
      assertThat(Files.readString(log)).contains("READY port=" + server.port());
    }
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
  }

  @Test
  @Timeout(60)
  void aChildThatExitsBeforeReadyFailsWithItsLastLines() {
    assertThatThrownBy(
            () ->
                ChildJvm.java()
                    .name("broken")
                    .main(
                        CLASSPATH,
                        ChildJvm.TEST_APPS_MAIN,
                        List.of("jsse-server", "--keystore", dir.resolve("none.p12").toString()))
                    .start())
        .isInstanceOf(IOException.class)
        .hasMessageContaining("broken exited before it was ready (exit code 2)")
        .hasMessageContaining("no keystore at");
  }

  @Test
  @Timeout(60)
  void aLauncherIsReadyOnItsTextAndPort() throws Exception {
    TestPki pki = TestPki.create(dir.resolve("pki"), URI.create("http://127.0.0.1:9/ocsp"), false);
    int port;
    try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
      port = free.getLocalPort();
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // a shell launcher that forks the JVM, as catalina.sh does; the text alone is not enough
    String script =
        "echo launching; exec '%s' -cp '%s' %s jsse-server --pki '%s' --port %d"
            .formatted(java, CLASSPATH, ChildJvm.TEST_APPS_MAIN, pki.dir(), port);
    try (ChildJvm launcher =
        ChildJvm.command(List.of("/bin/sh", "-c", script))
            .name("launcher")
            .readyWhen("launching", port)
            .startTimeout(Duration.ofSeconds(30))
            .start()) {
      assertThat(launcher.port()).isEqualTo(port);
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      }
    }
  }

  @Test
  @Timeout(60)
  void aServerThatLogsItsPortIsReadyOnThatLineAndItsJvmIsFoundBehindTheLauncher() throws Exception {
    TestPki pki = TestPki.create(dir.resolve("pki"), URI.create("http://127.0.0.1:9/ocsp"), false);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // a launcher that forks the JVM and rewrites its READY line into a Spring Boot-like log line
    String script =
        ("'%s' -cp '%s' %s jsse-server --pki '%s' --port 0"
                + " | sed -u 's/^READY port=\\([0-9]*\\)/Server started on port \\1 (https)/'")
            .formatted(java, CLASSPATH, ChildJvm.TEST_APPS_MAIN, pki.dir());
    try (ChildJvm launcher =
        ChildJvm.command(List.of("/bin/sh", "-c", script))
            .name("launcher")
            .readyLine(Pattern.compile("started on port (?<port>\\d+)"))
            .startTimeout(Duration.ofSeconds(30))
            .start()) {
      assertThat(launcher.output()).contains("Server started on port " + launcher.port());
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", launcher.port()), 2000);
      }
      assertThat(launcher.jvmPid()).isNotEqualTo(launcher.pid());
      assertThat(ProcessHandle.of(launcher.jvmPid()).orElseThrow().info().command().orElseThrow())
          .endsWith("/java");
    }
  }

  @Test
  void readyLinesCarryThePortAndMoreFields() {
    assertThat(Ready.parse("READY port=8443")).containsEntry("port", "8443").hasSize(1);
    assertThat(Ready.parse("READY port=1 ocsp=http://127.0.0.1:1/ocsp control=2"))
        .containsEntry("ocsp", "http://127.0.0.1:1/ocsp")
        .containsEntry("control", "2");
    assertThat(Ready.parse("READY ocsp=x control=2")).isNull();
    assertThat(Ready.parse("12:00 INFO READY port=1")).isNull();
  }
}
