package dev.staplekeeper.agent.it;

import static dev.staplekeeper.agent.HostileResponder.FORGED;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.tools.attach.VirtualMachine;
import dev.staplekeeper.agent.HostileResponder;
import dev.staplekeeper.agent.log.LogText;
import dev.staplekeeper.testapps.checker.StapleChecker;
import dev.staplekeeper.testapps.pki.TestPki;
import dev.staplekeeper.testapps.process.ChildJvm;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The packaged agent in a real server whose OCSP responder is hostile (it answers on plain HTTP,
 * without any key), and a hostile agent argument: the server's standard error and the JMX view, as
 * an operator sees them.
 */
class LogSafetyIT {
  private static final String SECRET = "s3cret-pw";
  private static final String WARNING = "WARNING: ";

  @TempDir static Path dir;
  static TestPki pki;
  static HostileResponder responder;

  @BeforeAll
  static void start() throws Exception {
    pki = TestPki.create(dir, URI.create("http://127.0.0.1:1/ocsp"), false);
    responder = new HostileResponder();
  }

  @AfterAll
  static void stop() throws Exception {
    responder.close();
  }

  static Stream<Path> jdks() {
    return ForkedServer.jdks().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("jdks")
  void aHostileResponderCanNeitherForgeNorFloodLinesNorLeakTheResponderPassword(Path jdk)
      throws Exception {
    responder.answerOk(HostileResponder.forgedResponderName(pki));
    String responderUri = "http://alice:" + SECRET + "@127.0.0.1:" + responder.port() + "/ocsp";
    try (ChildJvm server =
        ForkedServer.start(
            "hostile-" + ForkedServer.jdkName(jdk),
            jdk,
            dir,
            List.of(
                // the default "LEVEL: message" lines, whatever the server sets once main runs (the
                // agent now logs from its start thread, after the application's own log setup)
                "-Djava.util.logging.SimpleFormatter.format=%4$s: %5$s%6$s%n",
                "-javaagent:"
                    + ForkedServer.agentJar()
                    + "=responderUri="
                    + responderUri
                    + ",responderOverride=true,retryInitialBackoff=100ms,retryMaxBackoff=1s"))) {
      StapleChecker.check("127.0.0.1", server.port(), "TLSv1.3", pki); // in case prefetch is late
      assertThat(server.awaitOutput("Evil\\n" + FORGED, Duration.ofSeconds(20)))
          .as(server.output())
          .isTrue();
      responder.answerOk(HostileResponder.manySingles(pki, 100));
      assertThat(server.awaitOutput("...(97 more)]", Duration.ofSeconds(20)))
          .as(server.output())
          .isTrue();
      responder.answerRaw(HostileResponder.http(503, "Busy \u001b[31m" + FORGED, new byte[0]));
      assertThat(server.awaitOutput("answered HTTP 503 Busy \\u001b[31m", Duration.ofSeconds(20)))
          .as(server.output())
          .isTrue();
      String[] view = jmxView(server);

      List<String> lines = Arrays.asList(server.output().split("\n"));
      assertThat(lines)
          .noneMatch(l -> l.startsWith(FORGED))
          .noneMatch(l -> l.contains(SECRET))
          .noneMatch(l -> l.contains("\u001b"))
          .anyMatch(
              l ->
                  l.startsWith("INFO: StapleKeeper")
                      && l.contains("settings: ")
                      && l.contains("responderUri=http://***@127.0.0.1:"));
      List<String> flood =
          lines.stream().filter(l -> l.startsWith(WARNING) && l.contains("(97 more)")).toList();
      assertThat(flood).hasSize(1);
      assertThat(flood.get(0).length() - WARNING.length()).isLessThanOrEqualTo(LogText.LINE_CAP);
      assertThat(String.join("\n", view))
          .contains("responderUri=http://***@127.0.0.1:")
          .contains("last: OCSP fetch from http://***@127.0.0.1:")
          .doesNotContain(SECRET)
          .doesNotContain("\u001b");
    }
  }

  @Test
  void aLineBreakInAnAgentArgumentGivesOneSevereLine() throws Exception {
    Path java = ForkedServer.jdks().get(0).resolve("bin/java");
    Process p =
        new ProcessBuilder(
                java.toString(),
                "-javaagent:" + ForkedServer.agentJar() + "=refreshFraction=2\n" + FORGED,
                "-version")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();

    List<String> lines = Arrays.asList(out.split("\r?\n"));
    assertThat(lines.stream().filter(l -> l.startsWith("SEVERE:")).toList())
        .as(out)
        .singleElement()
        .asString()
        .contains("is NOT active, nothing was patched")
        .contains("refreshFraction='2\\n" + FORGED + "' is invalid");
    assertThat(lines).noneMatch(l -> l.startsWith(FORGED));
    assertThat(p.exitValue()).as(out).isZero();
  }

  /** The MBean's settings and certificate lines, read over JMX from the running server. */
  private static String[] jmxView(ChildJvm server) throws Exception {
    VirtualMachine vm = VirtualMachine.attach(String.valueOf(server.pid()));
    String address;
    try {
      address = vm.startLocalManagementAgent();
    } finally {
      vm.detach();
    }
    try (JMXConnector c = JMXConnectorFactory.connect(new JMXServiceURL(address))) {
      MBeanServerConnection mbs = c.getMBeanServerConnection();
      ObjectName name = new ObjectName("dev.staplekeeper:type=Staples");
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (!mbs.isRegistered(name) && System.nanoTime() < end) {
        Thread.sleep(100);
      }
      String settings = (String) mbs.getAttribute(name, "Settings");
      String[] certificates = (String[]) mbs.getAttribute(name, "Certificates");
      String[] all = Arrays.copyOf(certificates, certificates.length + 1);
      all[certificates.length] = settings;
      return all;
    }
  }
}
