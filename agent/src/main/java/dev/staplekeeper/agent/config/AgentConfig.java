package dev.staplekeeper.agent.config;

import java.net.Proxy;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * StapleKeeper's validated settings. Built once at start from agent arguments, system properties
 * and environment (in that order of precedence), each key parsed and range-checked by its {@link
 * ConfigKey} spec; any unknown key (agent argument, {@code staplekeeper.*} property or {@code
 * STAPLEKEEPER_*} environment variable) or bad value fails the whole configuration with a {@link
 * ConfigException} naming each one, so the agent never runs half-configured.
 */
public final class AgentConfig {
  static final String PREFIX = "staplekeeper.";
  static final String ENV_PREFIX = "STAPLEKEEPER_";

  private final Map<ConfigKey<?>, Object> values;
  private final Map<ConfigKey<?>, String> sources;

  private AgentConfig(Reader r) {
    Map<ConfigKey<?>, Object> read = new HashMap<>();
    for (ConfigKey<?> k : ConfigKey.values()) {
      read.put(k, r.read(k));
    }
    values = read;
    sources = r.sources;

    if (refreshJitter() >= refreshFraction()) {
      r.problem(
          ConfigKey.REFRESH_JITTER,
          String.valueOf(refreshJitter()),
          "must be below refreshFraction (" + refreshFraction() + ")");
    }
    if (retryMaxBackoff().compareTo(retryInitialBackoff()) < 0) {
      r.problem(
          ConfigKey.RETRY_MAX_BACKOFF,
          format(retryMaxBackoff()),
          "must be at least retryInitialBackoff (" + format(retryInitialBackoff()) + ")");
    }
    if (responderOverride() && responderUri() == null) {
      r.problem(
          ConfigKey.RESPONDER_OVERRIDE,
          "true",
          "needs responderUri (or jdk.tls.stapling.responderURI)");
    }
  }

  /** Reads the configuration of this JVM: agent arguments, system properties, environment. */
  public static AgentConfig load(String agentArgs) throws ConfigException {
    return from(agentArgs, System.getProperties(), System.getenv());
  }

  /** Reads a configuration from explicit sources (for tests and tools). */
  public static AgentConfig from(
      String agentArgs, Properties systemProperties, Map<String, String> env)
      throws ConfigException {
    Reader reader = new Reader(agentArgs, systemProperties, env);
    AgentConfig config = new AgentConfig(reader);
    if (!reader.problems.isEmpty()) {
      throw new ConfigException(reader.problems);
    }
    return config;
  }

  /** Defaults only: what {@code -javaagent} without any setting gives. */
  public static AgentConfig defaults() {
    try {
      return from(null, new Properties(), Map.of());
    } catch (ConfigException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Formats a duration the way the configuration accepts it, e.g. {@code 1500ms} or {@code 2m}. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms != 0 && ms % 86_400_000 == 0) {
      return ms / 86_400_000 + "d";
    }
    if (ms != 0 && ms % 3_600_000 == 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms != 0 && ms % 60_000 == 0) {
      return ms / 60_000 + "m";
    }
    if (ms != 0 && ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }

  /** The value of {@code key}: as set, or its default. */
  @SuppressWarnings("unchecked")
  public <T> T get(ConfigKey<T> key) {
    return (T) values.get(key);
  }

  public boolean enabled() {
    return get(ConfigKey.ENABLED);
  }

  public boolean enableStatusRequestExtension() {
    return get(ConfigKey.ENABLE_STATUS_REQUEST_EXTENSION);
  }

  public double refreshFraction() {
    return get(ConfigKey.REFRESH_FRACTION);
  }

  public double refreshJitter() {
    return get(ConfigKey.REFRESH_JITTER);
  }

  public Duration retryInitialBackoff() {
    return get(ConfigKey.RETRY_INITIAL_BACKOFF);
  }

  public Duration retryMaxBackoff() {
    return get(ConfigKey.RETRY_MAX_BACKOFF);
  }

  public Duration connectTimeout() {
    return get(ConfigKey.CONNECT_TIMEOUT);
  }

  public Duration fetchTimeout() {
    return get(ConfigKey.FETCH_TIMEOUT);
  }

  public Duration coldWait() {
    return get(ConfigKey.COLD_WAIT);
  }

  public int maxResponseBytes() {
    return get(ConfigKey.MAX_RESPONSE_BYTES);
  }

  public Duration clockSkew() {
    return get(ConfigKey.CLOCK_SKEW);
  }

  public boolean stapleRevoked() {
    return get(ConfigKey.STAPLE_REVOKED);
  }

  public int cacheSize() {
    return get(ConfigKey.CACHE_SIZE);
  }

  /** Null when responses are kept in memory only. */
  public Path cacheDir() {
    return get(ConfigKey.CACHE_DIR);
  }

  public int maxStapleBytes() {
    return get(ConfigKey.MAX_STAPLE_BYTES);
  }

  public boolean cacheDirRequirePrivate() {
    return get(ConfigKey.CACHE_DIR_REQUIRE_PRIVATE);
  }

  public boolean prefetch() {
    return get(ConfigKey.PREFETCH);
  }

  /** Null when unset. */
  public URI responderUri() {
    return get(ConfigKey.RESPONDER_URI);
  }

  public boolean responderOverride() {
    return get(ConfigKey.RESPONDER_OVERRIDE);
  }

  /** True with {@code httpMethod=post}; false ({@code auto}) sends short requests by GET. */
  public boolean httpPostOnly() {
    return get(ConfigKey.HTTP_METHOD).equals("post");
  }

  /**
   * The proxy for OCSP requests ({@link Proxy#NO_PROXY} for {@code direct}), or null when the JVM's
   * {@code ProxySelector} decides.
   */
  public Proxy proxy() {
    return get(ConfigKey.PROXY);
  }

  public boolean jmx() {
    return get(ConfigKey.JMX);
  }

  /** One of ERROR, WARN, INFO, DEBUG, TRACE. */
  public String logLevel() {
    return get(ConfigKey.LOG_LEVEL);
  }

  public boolean failLookupsForTesting() {
    return get(ConfigKey.FAIL_LOOKUPS_FOR_TESTING);
  }

  /** A one-line summary of the settings that differ from the defaults, for the start log line. */
  public String describeNonDefaults() {
    if (sources.isEmpty()) {
      return "defaults";
    }
    StringBuilder sb = new StringBuilder();
    sources.forEach(
        (k, v) -> {
          if (sb.length() > 0) {
            sb.append(", ");
          }
          sb.append(k.key()).append('=').append(v);
        });
    return sb.toString();
  }

  /** Collects raw values with their precedence and every problem found while parsing them. */
  private static final class Reader {
    private final Map<ConfigKey<?>, String> raw = new HashMap<>();
    private final Map<ConfigKey<?>, String> origin = new HashMap<>();
    private final Map<ConfigKey<?>, String> sources = new LinkedHashMap<>();
    private final List<String> problems = new ArrayList<>();
    private final Properties systemProperties;

    Reader(String agentArgs, Properties systemProperties, Map<String, String> env) {
      this.systemProperties = systemProperties;
      for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
        String name = e.getKey();
        if (!name.startsWith(ENV_PREFIX)) {
          continue;
        }
        ConfigKey<?> k = forEnvironmentName(name);
        if (k == null) {
          problems.add(
              "unknown environment variable "
                  + name
                  + " (known keys: "
                  + knownKeys()
                  + ", each as STAPLEKEEPER_ and the key in upper case split at its words, e.g. "
                  + ConfigKey.CACHE_DIR.environmentName()
                  + "; see docs/configuration.md)");
          continue;
        }
        raw.put(k, e.getValue());
        origin.put(k, "environment variable " + name);
      }
      for (String name : systemProperties.stringPropertyNames()) {
        if (!name.startsWith(PREFIX)) {
          continue;
        }
        ConfigKey<?> k = ConfigKey.forKey(name.substring(PREFIX.length()));
        if (k == null) {
          problems.add(
              "unknown system property "
                  + name
                  + " (known: "
                  + knownKeys()
                  + "; see docs/configuration.md)");
          continue;
        }
        raw.put(k, systemProperties.getProperty(name));
        origin.put(k, "system property " + name);
      }
      if (agentArgs != null && !agentArgs.isBlank()) {
        for (String pair : agentArgs.split(",")) {
          if (pair.isBlank()) {
            continue;
          }
          int eq = pair.indexOf('=');
          String name = (eq < 0 ? pair : pair.substring(0, eq)).trim();
          if (name.startsWith(PREFIX)) {
            name = name.substring(PREFIX.length());
          }
          ConfigKey<?> k = ConfigKey.forKey(name);
          if (k == null || eq < 0) {
            problems.add(
                (k == null
                        ? "unknown agent argument '" + name + "'"
                        : "agent argument '" + name + "' has no value")
                    + " (expected key=value pairs separated by commas; known keys: "
                    + knownKeys()
                    + ")");
            continue;
          }
          raw.put(k, pair.substring(eq + 1).trim());
          origin.put(k, "agent argument " + name);
        }
      }
    }

    /** The value of {@code k}: parsed from its highest-precedence source, else its default. */
    <T> T read(ConfigKey<T> k) {
      T dflt = k.defaultValue(systemProperties);
      String v = raw.get(k);
      if (v == null) {
        return dflt;
      }
      v = v.trim();
      sources.put(k, v);
      try {
        return k.parse(v);
      } catch (IllegalArgumentException e) {
        problem(k, v, e.getMessage());
        return dflt;
      }
    }

    void problem(ConfigKey<?> k, String value, String why) {
      String where = origin.getOrDefault(k, k.propertyName());
      problems.add(
          where + "='" + value + "' is invalid: " + why + " (accepted: " + k.range() + ")");
    }

    private static ConfigKey<?> forEnvironmentName(String name) {
      for (ConfigKey<?> k : ConfigKey.values()) {
        if (k.environmentName().equals(name)) {
          return k;
        }
      }
      return null;
    }

    private static String knownKeys() {
      StringBuilder sb = new StringBuilder();
      for (ConfigKey<?> k : ConfigKey.values()) {
        if (sb.length() > 0) {
          sb.append(", ");
        }
        sb.append(k.key());
      }
      return sb.toString();
    }
  }
}
