package dev.staplekeeper.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.staplekeeper.testapps.checker.StapleChecker;
import dev.staplekeeper.testapps.checker.StapleVerdict;
import dev.staplekeeper.testapps.pki.TestPki;
import dev.staplekeeper.testapps.process.ChildJvm;
import dev.staplekeeper.testapps.responder.FaultMode;
import dev.staplekeeper.testapps.responder.OcspResponder;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code java -jar staplekeeper-agent.jar attach|status|refresh|list} against a real JSSE server
 * process that was started with neither StapleKeeper nor the stapling property.
 */
class AgentCliIT {
  @TempDir Path dir;

  static Stream<Path> jdks() {
    return ForkedServer.jdks().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("jdks")
  void attachStaplesAServerStartedWithoutStaplingAndStatusShowsIt(Path jdk) throws Exception {
    try (OcspResponder responder = OcspResponder.bind(0)) {
      TestPki pki = TestPki.create(dir, responder.url(), false);
      responder.start(pki, Duration.ofMinutes(2));
      try (ChildJvm server =
          ForkedServer.start("cli-" + ForkedServer.jdkName(jdk), jdk, dir, List.of())) {
        String pid = String.valueOf(server.pid());
        assertThat(StapleChecker.check("127.0.0.1", server.port(), "TLSv1.3", pki).stapled())
            .as("stock JDK without the property: no staple")
            .isFalse();
        AgentCli noAgent = AgentCli.run(jdk, "status", pid);
        assertThat(noAgent.exit).as("%s", noAgent).isEqualTo(1);
        assertThat(noAgent.err.trim())
            .isEqualTo(
                "staplekeeper: StapleKeeper is not loaded in JVM "
                    + pid
                    + " (load it: java -jar staplekeeper-agent.jar attach "
                    + pid
                    + ")");

        try (SSLSocket before = openConnection(server.port(), pki);
            Trickle trickle = new Trickle(before)) {
          AgentCli attach = AgentCli.run(jdk, "attach", pid, "coldWait=3s");
          assertThat(attach.exit).as("%s", attach).isZero();
          assertThat(attach.out)
              .startsWith("StapleKeeper ")
              .contains(" active on Java ")
              .contains("sun.security.ssl.SSLContextImpl");

          // the server's existing SSLContext staples from the next handshake, on both protocols
          String tls13 = OpenSslClient.status(server.port(), "-tls1_3", dir.resolve("root.pem"));
          assertThat(tls13)
              .contains("OCSP Response Status: successful")
              .contains("Cert Status: good");
          String tls12 = OpenSslClient.status(server.port(), "-tls1_2", dir.resolve("root.pem"));
          assertThat(tls12)
              .contains("OCSP Response Status: successful")
              .contains("Cert Status: good");
          StapleVerdict jdkClient = StapleChecker.check("127.0.0.1", server.port(), "TLSv1.3", pki);
          assertThat(jdkClient.validStaple()).as("%s", jdkClient).isTrue();

          // a connection made before the attach still works
          assertThat(trickle.finish()).isEqualTo("HTTP/1.1 200 OK");
        }

        AgentCli again = AgentCli.run(jdk, "attach", pid);
        assertThat(again.exit).isZero();
        assertThat(again.out).startsWith("StapleKeeper is already active in JVM " + pid);

        AgentCli json = AgentCli.run(jdk, "status", pid, "--json");
        assertThat(json.exit).as("%s", json).isZero();
        String serial = pki.server().getSerialNumber().toString(16);
        assertThat(json.out.trim())
            .startsWith("[")
            .endsWith("]")
            .contains("\"subject\": \"CN=localhost\"")
            .contains("\"serial\": \"" + serial + "\"")
            .contains("\"responder\": \"" + responder.url() + "\"")
            .contains("\"status\": \"GOOD\"")
            .contains("\"consecutiveFailures\": 0")
            .contains("\"lastError\": null")
            .containsPattern("\"secondsLeft\": 1[01][0-9]\\b")
            .containsPattern("\"issuerKeyId\": \"[0-9a-f]{40}\"")
            .containsPattern(
                "\"thisUpdate\": \"20\\d\\d-[^\"]+Z\", \"nextUpdate\": \"20\\d\\d-[^\"]+Z\"")
            .containsPattern("\"nextFetch\": \"20\\d\\d-[^\"]+Z\"")
            .containsPattern("\"lastFetchMillis\": \\d+}");

        AgentCli table = AgentCli.run(jdk, "status", pid);
        assertThat(table.exit).isZero();
        assertThat(table.out.lines().count()).isEqualTo(2);
        assertThat(table.out)
            .startsWith("SUBJECT")
            .contains("CN=localhost  " + serial)
            .contains("GOOD");

        responder.mode(FaultMode.UNAUTHORIZED);
        AgentCli refresh = AgentCli.run(jdk, "refresh", pid, serial.toUpperCase());
        assertThat(refresh.exit).as("%s", refresh).isZero();
        assertThat(refresh.out)
            .contains(serial)
            .contains("GOOD")
            .contains("responder answered responseStatus unauthorized");
        responder.mode(FaultMode.HEALTHY);
        AgentCli healed = AgentCli.run(jdk, "refresh", pid);
        assertThat(healed.exit).isZero();
        assertThat(healed.out).contains(serial).doesNotContain("unauthorized");

        AgentCli unknown = AgentCli.run(jdk, "refresh", pid, "abcdef");
        assertThat(unknown.exit).isEqualTo(1);
        assertThat(unknown.err.trim())
            .isEqualTo(
                "staplekeeper: no certificate with serial abcdef in JVM " + pid + " (see status)");

        AgentCli list = AgentCli.run(jdk, "list");
        assertThat(list.exit).isZero();
        assertThat(list.out)
            .containsPattern("(?m)^" + pid + "\t.*jsse-server.*\tStapleKeeper active: ");
      }
    }
  }

  @Test
  void anExplicitFalseStaplingPropertyStillWinsAfterAttach() throws Exception {
    Path jdk = ForkedServer.jdks().get(0);
    try (OcspResponder responder = OcspResponder.bind(0)) {
      TestPki pki = TestPki.create(dir, responder.url(), false);
      responder.start(pki, Duration.ofMinutes(2));
      try (ChildJvm server =
          ForkedServer.start(
              "cli-explicit-false",
              jdk,
              dir,
              List.of("-Djdk.tls.server.enableStatusRequestExtension=false"))) {
        AgentCli attach = AgentCli.run(jdk, "attach", String.valueOf(server.pid()));
        assertThat(attach.exit).as("%s", attach).isZero();
        assertThat(attach.out).contains(" active on Java ").doesNotContain("SSLContextImpl");
        assertThat(
                server.awaitOutput(
                    "enableStatusRequestExtension=false is set", Duration.ofSeconds(10)))
            .isTrue();
        StapleVerdict after = StapleChecker.check("127.0.0.1", server.port(), "TLSv1.3", pki);
        assertThat(after.stapled()).as("the user turned stapling off: %s", after).isFalse();
        assertThat(responder.requestCount()).isZero();
      }
    }
  }

  @Test
  void badPidsGetOneClearLine() throws Exception {
    Path jdk = ForkedServer.jdks().get(0);
    AgentCli notANumber = AgentCli.run(jdk, "status", "12ab");
    assertThat(notANumber.exit).isEqualTo(1);
    assertThat(notANumber.err.trim())
        .isEqualTo("staplekeeper: '12ab' is not a process id (a positive number; see 'list')");
    AgentCli gone = AgentCli.run(jdk, "attach", "2147483646");
    assertThat(gone.exit).isEqualTo(1);
    assertThat(gone.err.trim()).isEqualTo("staplekeeper: no process with pid 2147483646");
    Process sleeper = new ProcessBuilder("sleep", "60").start();
    try {
      AgentCli notJava = AgentCli.run(jdk, "status", String.valueOf(sleeper.pid()));
      assertThat(notJava.exit).isEqualTo(1);
      assertThat(notJava.err.trim())
          .startsWith("staplekeeper: process " + sleeper.pid() + " is not a Java VM (");
    } finally {
      sleeper.destroy();
    }
    AgentCli usage = AgentCli.run(jdk, "stat");
    assertThat(usage.exit).isEqualTo(2);
    assertThat(usage.err).startsWith("staplekeeper: unknown command 'stat'\nusage:");
  }

  private static SSLSocket openConnection(int port, TestPki pki) throws Exception {
    SSLSocket s =
        (SSLSocket)
            StapleChecker.clientContext(pki.root())
                .getSocketFactory()
                .createSocket("127.0.0.1", port);
    s.setSoTimeout(20_000);
    s.startHandshake();
    return s;
  }

  /**
   * An HTTP request sent slowly over a connection made before the attach: one header line a second
   * (the server's read timeout is 10 s), then the end of the head and the response's status line.
   */
  private static final class Trickle implements AutoCloseable {
    private final SSLSocket socket;
    private final Thread writer;
    private volatile boolean done;
    private volatile Exception failure;

    Trickle(SSLSocket socket) throws Exception {
      this.socket = socket;
      write("GET / HTTP/1.1\r\nHost: localhost\r\n");
      writer =
          new Thread(
              () -> {
                try {
                  for (int i = 0; !done; i++) {
                    write("X-Trickle-" + i + ": 1\r\n");
                    Thread.sleep(1000);
                  }
                } catch (Exception e) {
                  failure = e;
                }
              },
              "trickle");
      writer.setDaemon(true);
      writer.start();
    }

    private synchronized void write(String text) throws Exception {
      OutputStream out = socket.getOutputStream();
      out.write(text.getBytes(StandardCharsets.US_ASCII));
      out.flush();
    }

    String finish() throws Exception {
      done = true;
      writer.join();
      if (failure != null) {
        throw failure;
      }
      write("\r\n");
      return new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
          .readLine();
    }

    @Override
    public void close() throws InterruptedException {
      done = true;
      writer.join();
    }
  }
}
