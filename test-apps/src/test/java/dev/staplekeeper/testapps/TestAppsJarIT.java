package dev.staplekeeper.testapps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.staplekeeper.testapps.process.ChildJvm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jar as the other modules and the demo use it: separate processes, the stock JDK's
 * stapling turned on in the JSSE server, {@code openssl s_client -status} and the {@code check}
 * command as clients.
 */
class TestAppsJarIT {
  @TempDir Path dir;
  private final List<ChildJvm> processes = new ArrayList<>();

  @AfterEach
  void stopAll() {
    processes.forEach(ChildJvm::close);
  }

  @Test
  void stockJdkStaplingThroughTheJsseServerOnEveryJdk() throws Exception {
    Path pki = dir.resolve("pki");
    ChildJvm responder = start(javaBin(), "responder", "--pki", pki, "--create", "--port", "0");
    String control = responder.readyField("control");

    List<String> jdks = jdks();
    for (String javaBin : jdks) {
      ChildJvm server =
          start(
              javaBin,
              "-Djdk.tls.server.enableStatusRequestExtension=true",
              "jsse-server",
              "--pki",
              pki,
              "--port",
              "0");
      String port = Integer.toString(server.port());
      for (String tls : new String[] {"1.2", "1.3"}) {
        Result check = run(javaBin(), "check", "--port", port, "--pki", pki, "--tls", tls);
        assertThat(check.out()).as(javaBin).contains("TLSv" + tls, "stapled=yes", "valid=yes");
        assertThat(check.exit()).isZero();
      }
      if (onPath("openssl")) {
        Result s = openssl(port, pki);
        assertThat(s.out())
            .contains("OCSP Response Status: successful (0x0)", "Cert Status: good")
            .contains("Verify return code: 0 (ok)");
      }
    }
    Result count = run(javaBin(), "responder-ctl", "--control-port", control, "count");
    assertThat(Integer.parseInt(count.out().trim())).isBetween(1, 2 * jdks.size());

    assertThat(run(javaBin(), "responder-ctl", "--control-port", control, "unauthorized").out())
        .isEqualTo("unauthorized\n");
    Result shutdown = run(javaBin(), "responder-ctl", "--control-port", control, "shutdown");
    assertThat(shutdown.exit()).isZero();
    assertThat(processes.get(0).waitFor(Duration.ofSeconds(10))).isTrue();
    assertThat(processes.get(0).exitValue()).isZero();
  }

  @Test
  void tomcatAndJettyServeWithoutStapling() throws Exception {
    Path pki = dir.resolve("pki");
    assertThat(run(javaBin(), "pki", "--dir", pki, "--ocsp-url", "http://127.0.0.1:9/ocsp").exit())
        .isZero();
    for (String app : new String[] {"tomcat", "jetty"}) {
      String port = Integer.toString(start(javaBin(), app, "--pki", pki, "--port", "0").port());
      Result check = run(javaBin(), "check", "--port", port, "--pki", pki);
      assertThat(check.out()).as(app).contains("stapled=no").doesNotContain("http=");
      assertThat(check.exit()).isEqualTo(1);
    }
  }

  private ChildJvm start(String javaBin, Object... args) throws Exception {
    List<String> cmd = command(javaBin, args);
    ChildJvm p =
        ChildJvm.command(cmd)
            .name(cmd.get(cmd.indexOf("-jar") + 2))
            .log(Files.createTempFile(dir, "process", ".log"))
            .startTimeout(Duration.ofSeconds(30))
            .start();
    processes.add(p);
    return p;
  }

  record Result(int exit, String out) {}

  private Result run(String javaBin, Object... args) throws Exception {
    Process p = new ProcessBuilder(command(javaBin, args)).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), out);
  }

  private static Result openssl(String port, Path pki) throws Exception {
    Process p =
        new ProcessBuilder(
                "openssl",
                "s_client",
                "-connect",
                "127.0.0.1:" + port,
                "-status",
                "-CAfile",
                pki.resolve("root.pem").toString())
            .redirectErrorStream(true)
            .start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), out);
  }

  private static List<String> command(String javaBin, Object... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(javaBin);
    List<String> rest = new ArrayList<>();
    for (Object a : args) {
      String s = a.toString();
      if (s.startsWith("-D")) {
        cmd.add(s);
      } else {
        rest.add(s);
      }
    }
    cmd.add("-jar");
    cmd.add(jar());
    cmd.addAll(rest);
    return cmd;
  }

  private static String jar() {
    String jar = System.getProperty("staplekeeper.testapps.jar");
    assumeTrue(jar != null && Files.isRegularFile(Path.of(jar)), "shaded jar not built");
    return jar;
  }

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** The JDKs of staplekeeper.it.jdks that exist here, or the running one. */
  private static List<String> jdks() {
    List<String> out = new ArrayList<>();
    for (String home : System.getProperty("staplekeeper.it.jdks", "").split(",")) {
      Path bin = Path.of(home.trim(), "bin", "java");
      if (!home.isBlank() && Files.isExecutable(bin)) {
        out.add(bin.toString());
      }
    }
    return out.isEmpty() ? List.of(javaBin()) : out;
  }

  private static boolean onPath(String command) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(d, command))) {
        return true;
      }
    }
    return false;
  }
}
