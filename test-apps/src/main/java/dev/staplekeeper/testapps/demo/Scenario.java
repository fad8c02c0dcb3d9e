package dev.staplekeeper.testapps.demo;

import dev.staplekeeper.testapps.responder.FaultMode;
import java.time.Duration;
import java.util.List;

/**
 * The timings of one demo run. Real OCSP responses live for days and the JDK caches them for an
 * hour; here responses live {@code validity} and everything that scales with it is scaled down
 * alike, so that an outage longer than the JDK's cache lifetime fits in a minute or two.
 *
 * @param validity nextUpdate - thisUpdate of the responder's good responses
 * @param stockCacheLifetimeSeconds {@code jdk.tls.stapling.cacheLifetime} of both servers (JDK
 *     default 3600; only the stock server uses it, the agent keeps responses until nextUpdate)
 * @param agentProperties system properties added to the agent server only
 * @param phases what the responder does, in order
 */
public record Scenario(
    String name,
    Duration validity,
    int stockCacheLifetimeSeconds,
    List<String> agentProperties,
    List<Phase> phases) {

  /** Agent retry backoff scaled like the validity (defaults: 2 s doubling up to 10 min). */
  static final List<String> AGENT_PROPERTIES =
      List.of("-Dstaplekeeper.retryInitialBackoff=1s", "-Dstaplekeeper.retryMaxBackoff=5s");

  public Scenario {
    phases = List.copyOf(phases);
    agentProperties = List.copyOf(agentProperties);
    if (phases.isEmpty()) {
      throw new IllegalArgumentException("no phases");
    }
  }

  /** The demo: 100 s, of which 70 s of responder fault; responses valid 120 s. */
  public static Scenario full() {
    return new Scenario(
        "full",
        Duration.ofSeconds(120),
        10,
        AGENT_PROPERTIES,
        List.of(
            new Phase(FaultMode.HEALTHY, 15, "good responses"),
            new Phase(FaultMode.DOWN, 20, "connections are refused"),
            new Phase(
                FaultMode.UNAUTHORIZED, 30, "every answer is the OCSP error status unauthorized"),
            new Phase(FaultMode.HANG, 20, "requests are accepted and never answered"),
            new Phase(FaultMode.HEALTHY, 15, "good responses again")));
  }

  /** A 21 s run with the same shape, for tests and a quick look. */
  public static Scenario quick() {
    return new Scenario(
        "quick",
        Duration.ofSeconds(60),
        2,
        AGENT_PROPERTIES,
        List.of(
            new Phase(FaultMode.HEALTHY, 3, "good responses"),
            new Phase(FaultMode.DOWN, 4, "connections are refused"),
            new Phase(
                FaultMode.UNAUTHORIZED, 4, "every answer is the OCSP error status unauthorized"),
            new Phase(FaultMode.HANG, 7, "requests are accepted and never answered"),
            new Phase(FaultMode.HEALTHY, 3, "good responses again")));
  }

  public int totalSeconds() {
    return phases.stream().mapToInt(Phase::seconds).sum();
  }

  /** Index of the phase that second {@code tick} (0-based) belongs to. */
  public int phaseAt(int tick) {
    int end = 0;
    for (int i = 0; i < phases.size(); i++) {
      end += phases.get(i).seconds();
      if (tick < end) {
        return i;
      }
    }
    return phases.size() - 1;
  }

  /** First second of phase {@code index}. */
  public int startOf(int index) {
    int start = 0;
    for (int i = 0; i < index; i++) {
      start += phases.get(i).seconds();
    }
    return start;
  }
}
