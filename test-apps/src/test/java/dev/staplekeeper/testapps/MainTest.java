package dev.staplekeeper.testapps;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MainTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return Main.run(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void listsCommandsWithoutArguments() {
    assertThat(run()).isEqualTo(2);
    assertThat(err())
        .contains("pki", "responder", "responder-ctl", "jsse-server", "tomcat", "jetty", "check");
  }

  @Test
  void rejectsUnknownCommands() {
    assertThat(run("frobnicate")).isEqualTo(2);
    assertThat(err()).contains("unknown command 'frobnicate'");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"pki", "responder", "responder-ctl", "jsse-server", "tomcat", "jetty", "check"})
  void everyCommandHasHelp(String command) {
    assertThat(run(command, "--help")).isZero();
    assertThat(out()).startsWith("usage: " + command);
  }

  @Test
  void responderHelpListsEveryFaultMode() {
    run("responder", "--help");
    for (var mode : dev.staplekeeper.testapps.responder.FaultMode.values()) {
      assertThat(out()).contains(mode.cliName());
    }
  }

  @Test
  void badOptionsAreNamed() {
    assertThat(run("check", "--port", "1", "--tls", "1.1", "--pki", "x")).isEqualTo(2);
    assertThat(err()).contains("--tls must be 1.2 or 1.3");
    assertThat(run("check", "--pki", "x")).isEqualTo(2);
    assertThat(err()).contains("missing option --port");
    assertThat(run("jsse-server", "--port", "0")).isEqualTo(2);
    assertThat(err()).contains("give exactly one of --pki DIR or --keystore FILE");
    assertThat(run("pki", "--dir", "x", "--ocsp-url", "ftp://h/ocsp")).isEqualTo(2);
    assertThat(err()).contains("--ocsp-url must be an http:// URL");
    assertThat(run("responder", "--pki", "x", "--mode", "sideways")).isEqualTo(2);
    assertThat(err()).contains("unknown fault mode 'sideways'");
    assertThat(run("responder-ctl", "hang")).isEqualTo(2);
    assertThat(err()).contains("missing option --control-port");
  }
}
