package dev.staplekeeper.containers;

import dev.staplekeeper.testapps.checker.StapleChecker;
import dev.staplekeeper.testapps.checker.StapleVerdict;
import dev.staplekeeper.testapps.pki.TestPki;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The JDK client: {@link StapleChecker} in this JVM (one full handshake, signature and CertID
 * checked), and the same checker as users run it, {@code java -jar staplekeeper-test-apps-all.jar
 * check}.
 */
final class JdkClient {
  private static final Duration CLI_TIMEOUT = Duration.ofSeconds(60);

  private JdkClient() {}

  /** {@code protocol} is {@code TLSv1.2}, {@code TLSv1.3} or null for the JDK default. */
  static Observation handshake(int port, TestPki pki, String protocol) {
    String client = "jdk" + (protocol == null ? "" : " " + protocol);
    try {
      StapleVerdict c = StapleChecker.check("127.0.0.1", port, protocol, pki);
      return new Observation(
          client,
          true,
          c.stapled(),
          c.responseStatus(),
          c.certStatus(),
          c.thisUpdate(),
          c.nextUpdate(),
          c.stapled() ? c.signatureValid() && c.certIdMatches() : null,
          Duration.ofMillis(c.handshakeMillis()),
          c.line());
    } catch (IOException e) {
      return new Observation(
          client, false, false, null, null, null, null, null, Duration.ZERO, e.toString());
    }
  }

  /** The test-apps jar with its dependencies, copied by the pom at pre-integration-test. */
  static Path cliJar() {
    return Path.of(System.getProperty("staplekeeper.testapps.jar", ""));
  }

  /** The command docs/operations.md shows, with this test's PKI. */
  static List<String> cliCommand(Path java, int port, Path pkiDir) {
    return List.of(
        java.toString(),
        "-jar",
        cliJar().toString(),
        "check",
        "--host",
        "127.0.0.1",
        "--port",
        String.valueOf(port),
        "--pki",
        pkiDir.toString());
  }

  static Command.Result cli(Path java, int port, Path pkiDir) throws IOException {
    return Command.run(cliCommand(java, port, pkiDir), CLI_TIMEOUT);
  }
}
