package dev.staplekeeper.containers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The packaged agent jar and the JVM options the servers get. */
final class Agent {
  private Agent() {}

  /** {@code agent/target/staplekeeper-agent.jar}, built by the agent module in the same reactor. */
  static Path jar() {
    Path jar =
        Path.of(System.getProperty("staplekeeper.agent.jar", "")).toAbsolutePath().normalize();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          "agent jar not found at "
              + jar
              + "; build it first (mvn -pl container-tests -am verify builds the agent module)");
    }
    return jar;
  }

  /**
   * The {@code -javaagent} line plus settings (docs/configuration.md) that make a run of seconds
   * exercise the agent's refresh and retry:
   *
   * <ul>
   *   <li>{@code cacheDir}: responses survive a restart of the server;
   *   <li>{@code refreshFraction=0.05} without jitter: with the 2 minute responses of the tests the
   *       agent refreshes every 6 s, so it meets the failing responder during an outage of 7 s;
   *   <li>{@code retryInitialBackoff=1s}, {@code retryMaxBackoff=4s}: its retries during the outage
   *       come within seconds, and so does its recovery when the responder is back;
   *   <li>{@code jdk.tls.stapling.cacheLifetime=2} stands for the JDK's default hour, as in the
   *       measurements of design.md section 3: without the agent the JDK forgets its staple 2 s
   *       into an outage (see {@link StockJdkJettyIT}); the agent does not use it.
   * </ul>
   */
  static List<String> jvmOptions(Path cacheDir) {
    return List.of(
        "-javaagent:" + jar(),
        "-Dstaplekeeper.cacheDir=" + cacheDir,
        "-Dstaplekeeper.refreshFraction=0.05",
        "-Dstaplekeeper.refreshJitter=0",
        "-Dstaplekeeper.retryInitialBackoff=1s",
        "-Dstaplekeeper.retryMaxBackoff=4s",
        "-Djdk.tls.stapling.cacheLifetime=2");
  }
}
