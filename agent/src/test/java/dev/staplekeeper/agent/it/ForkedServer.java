package dev.staplekeeper.agent.it;

import dev.staplekeeper.testapps.process.ChildJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What the agent's integration tests fork: the test-apps {@code jsse-server} (no stapling code of
 * its own) on a chosen JDK, with the packaged {@code -javaagent} jar or without it, run by {@link
 * ChildJvm}; its output is kept for assertions and written to {@code target/it-logs}. Also the
 * paths the failsafe configuration passes in.
 */
final class ForkedServer {
  private ForkedServer() {}

  /** Paths the failsafe configuration passes in; a missing one fails the test run loudly. */
  static Path agentJar() {
    return requiredFile("staplekeeper.agent.jar");
  }

  static Path testAppsJar() {
    return requiredFile("staplekeeper.testapps.jar");
  }

  private static Path requiredFile(String property) {
    String value = System.getProperty(property);
    if (value == null || !Files.isRegularFile(Path.of(value))) {
      throw new IllegalStateException(
          "system property "
              + property
              + " must name a built jar (run through mvn verify): "
              + value);
    }
    return Path.of(value);
  }

  /** The JDK homes to test on (JDK 17 and 25 by default); a missing one is an error, not a skip. */
  static List<Path> jdks() {
    String list =
        System.getProperty(
            "staplekeeper.it.jdks",
            "/usr/lib/jvm/java-17-openjdk-amd64,/usr/lib/jvm/temurin-25-jdk-amd64");
    List<Path> out = new ArrayList<>();
    for (String s : list.split(",")) {
      Path home = Path.of(s.trim());
      if (!Files.isExecutable(home.resolve("bin/java"))) {
        throw new IllegalStateException("JDK for the integration tests not found: " + home);
      }
      out.add(home);
    }
    return out;
  }

  static String jdkName(Path home) {
    return home.getFileName().toString();
  }

  /**
   * Starts {@code jsse-server} on JDK {@code javaHome} with {@code jvmArgs} (e.g. the agent and its
   * settings) and waits for it to listen.
   */
  static ChildJvm start(String name, Path javaHome, Path pkiDir, List<String> jvmArgs)
      throws IOException, InterruptedException {
    return ChildJvm.java(javaHome)
        .name(name)
        .jvmArgs("-Xshare:auto")
        .jvmArgs(jvmArgs)
        .testApps(testAppsJar(), "jsse-server", "--pki", pkiDir.toString(), "--port", "0")
        .log(Path.of("target", "it-logs", name + ".log"))
        .stopGrace(Duration.ofSeconds(5))
        .start();
  }
}
