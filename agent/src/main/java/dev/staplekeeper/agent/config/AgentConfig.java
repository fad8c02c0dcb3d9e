package dev.staplekeeper.agent.config;

import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * StapleKeeper's validated settings. Built once at start from agent arguments, system properties
 * and environment (in that order of precedence); any unknown key or bad value fails the whole
 * configuration with a {@link ConfigException} naming each one, so the agent never runs
 * half-configured.
 */
public final class AgentConfig {
  static final String PREFIX = "staplekeeper.";
  private static final Pattern DURATION = Pattern.compile("(\\d{1,12})(ms|s|m|h|d)");

  private final boolean enabled;
  private final boolean enableStatusRequestExtension;
  private final double refreshFraction;
  private final double refreshJitter;
  private final Duration retryInitialBackoff;
  private final Duration retryMaxBackoff;
  private final Duration connectTimeout;
  private final Duration fetchTimeout;
  private final Duration coldWait;
  private final int maxResponseBytes;
  private final Duration clockSkew;
  private final boolean stapleRevoked;
  private final int cacheSize;
  private final Path cacheDir;
  private final boolean prefetch;
  private final URI responderUri;
  private final boolean responderOverride;
  private final boolean httpPostOnly;
  private final Proxy proxy;
  private final boolean jmx;
  private final String logLevel;
  private final boolean failLookupsForTesting;
  private final Map<ConfigKey, String> sources;

  private AgentConfig(Reader r) {
    enabled = r.bool(ConfigKey.ENABLED, true);
    enableStatusRequestExtension = r.bool(ConfigKey.ENABLE_STATUS_REQUEST_EXTENSION, true);
    refreshFraction = r.fraction(ConfigKey.REFRESH_FRACTION, 0.5, 0.05, 0.95);
    refreshJitter = r.fraction(ConfigKey.REFRESH_JITTER, 0.05, 0, 0.5);
    retryInitialBackoff =
        r.duration(
            ConfigKey.RETRY_INITIAL_BACKOFF,
            Duration.ofSeconds(2),
            Duration.ofMillis(100),
            Duration.ofHours(1));
    retryMaxBackoff =
        r.duration(
            ConfigKey.RETRY_MAX_BACKOFF,
            Duration.ofMinutes(10),
            Duration.ofSeconds(1),
            Duration.ofDays(1));
    connectTimeout =
        r.duration(
            ConfigKey.CONNECT_TIMEOUT,
            Duration.ofSeconds(5),
            Duration.ofMillis(100),
            Duration.ofMinutes(5));
    fetchTimeout =
        r.duration(
            ConfigKey.FETCH_TIMEOUT,
            Duration.ofSeconds(10),
            Duration.ofMillis(100),
            Duration.ofMinutes(5));
    coldWait =
        r.duration(
            ConfigKey.COLD_WAIT, jdkResponseTimeout(r), Duration.ZERO, Duration.ofSeconds(30));
    maxResponseBytes = r.integer(ConfigKey.MAX_RESPONSE_BYTES, 65536, 1024, 10 * 1024 * 1024);
    clockSkew =
        r.duration(ConfigKey.CLOCK_SKEW, Duration.ofMinutes(5), Duration.ZERO, Duration.ofHours(1));
    stapleRevoked = r.bool(ConfigKey.STAPLE_REVOKED, true);
    cacheSize = r.integer(ConfigKey.CACHE_SIZE, 1000, 1, 1_000_000);
    cacheDir = r.path(ConfigKey.CACHE_DIR);
    prefetch = r.bool(ConfigKey.PREFETCH, true);
    responderUri =
        r.uri(ConfigKey.RESPONDER_URI, r.systemProperty("jdk.tls.stapling.responderURI"));
    responderOverride =
        r.bool(
            ConfigKey.RESPONDER_OVERRIDE,
            Boolean.parseBoolean(r.systemProperty("jdk.tls.stapling.responderOverride")));
    logLevel = r.logLevel(ConfigKey.LOG_LEVEL, "INFO");
    httpPostOnly = r.choice(ConfigKey.HTTP_METHOD, "auto", "auto", "post").equals("post");
    proxy = r.proxy(ConfigKey.PROXY);
    jmx = r.bool(ConfigKey.JMX, true);
    failLookupsForTesting = r.bool(ConfigKey.FAIL_LOOKUPS_FOR_TESTING, false);

    if (refreshJitter >= refreshFraction) {
      r.problem(
          ConfigKey.REFRESH_JITTER,
          String.valueOf(refreshJitter),
          "must be below refreshFraction (" + refreshFraction + ")");
    }
    if (retryMaxBackoff.compareTo(retryInitialBackoff) < 0) {
      r.problem(
          ConfigKey.RETRY_MAX_BACKOFF,
          format(retryMaxBackoff),
          "must be at least retryInitialBackoff (" + format(retryInitialBackoff) + ")");
    }
    if (responderOverride && responderUri == null) {
      r.problem(
          ConfigKey.RESPONDER_OVERRIDE,
          "true",
          "needs responderUri (or jdk.tls.stapling.responderURI)");
    }
    sources = r.sources;
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

  private static Duration jdkResponseTimeout(Reader r) {
    String jdk = r.systemProperty("jdk.tls.stapling.responseTimeout");
    if (jdk != null) {
      try {
        long millis = Long.parseLong(jdk.trim());
        if (millis >= 0 && millis <= 30_000) {
          return Duration.ofMillis(millis);
        }
      } catch (NumberFormatException ignored) {
        // the JDK ignores a malformed value too; fall through to our default
      }
    }
    return Duration.ofSeconds(1);
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

  public boolean enabled() {
    return enabled;
  }

  public boolean enableStatusRequestExtension() {
    return enableStatusRequestExtension;
  }

  public double refreshFraction() {
    return refreshFraction;
  }

  public double refreshJitter() {
    return refreshJitter;
  }

  public Duration retryInitialBackoff() {
    return retryInitialBackoff;
  }

  public Duration retryMaxBackoff() {
    return retryMaxBackoff;
  }

  public Duration connectTimeout() {
    return connectTimeout;
  }

  public Duration fetchTimeout() {
    return fetchTimeout;
  }

  public Duration coldWait() {
    return coldWait;
  }

  public int maxResponseBytes() {
    return maxResponseBytes;
  }

  public Duration clockSkew() {
    return clockSkew;
  }

  public boolean stapleRevoked() {
    return stapleRevoked;
  }

  public int cacheSize() {
    return cacheSize;
  }

  /** Null when responses are kept in memory only. */
  public Path cacheDir() {
    return cacheDir;
  }

  public boolean prefetch() {
    return prefetch;
  }

  /** Null when unset. */
  public URI responderUri() {
    return responderUri;
  }

  public boolean responderOverride() {
    return responderOverride;
  }

  /** True with {@code httpMethod=post}; false ({@code auto}) sends short requests by GET. */
  public boolean httpPostOnly() {
    return httpPostOnly;
  }

  /**
   * The proxy for OCSP requests ({@link Proxy#NO_PROXY} for {@code direct}), or null when the JVM's
   * {@code ProxySelector} decides.
   */
  public Proxy proxy() {
    return proxy;
  }

  public boolean jmx() {
    return jmx;
  }

  /** One of ERROR, WARN, INFO, DEBUG, TRACE. */
  public String logLevel() {
    return logLevel;
  }

  public boolean failLookupsForTesting() {
    return failLookupsForTesting;
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
    private final Map<ConfigKey, String> raw = new EnumMap<>(ConfigKey.class);
    private final Map<ConfigKey, String> origin = new EnumMap<>(ConfigKey.class);
    private final Map<ConfigKey, String> sources = new LinkedHashMap<>();
    private final List<String> problems = new ArrayList<>();
    private final Properties systemProperties;

    Reader(String agentArgs, Properties systemProperties, Map<String, String> env) {
      this.systemProperties = systemProperties;
      for (ConfigKey k : ConfigKey.values()) {
        String v = env.get(k.environmentName());
        if (v != null) {
          raw.put(k, v);
          origin.put(k, "environment variable " + k.environmentName());
        }
      }
      for (String name : systemProperties.stringPropertyNames()) {
        if (!name.startsWith(PREFIX)) {
          continue;
        }
        ConfigKey k = ConfigKey.forKey(name.substring(PREFIX.length()));
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
          ConfigKey k = ConfigKey.forKey(name);
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

    String systemProperty(String name) {
      return systemProperties.getProperty(name);
    }

    private String value(ConfigKey k) {
      String v = raw.get(k);
      if (v != null) {
        v = v.trim();
        sources.put(k, v);
      }
      return v;
    }

    void problem(ConfigKey k, String value, String why) {
      String where = origin.getOrDefault(k, k.propertyName());
      problems.add(
          where + "='" + value + "' is invalid: " + why + " (accepted: " + k.range() + ")");
    }

    boolean bool(ConfigKey k, boolean dflt) {
      String v = value(k);
      if (v == null) {
        return dflt;
      }
      if (v.equalsIgnoreCase("true")) {
        return true;
      }
      if (v.equalsIgnoreCase("false")) {
        return false;
      }
      problem(k, v, "not a boolean");
      return dflt;
    }

    double fraction(ConfigKey k, double dflt, double min, double max) {
      String v = value(k);
      if (v == null) {
        return dflt;
      }
      try {
        double d = Double.parseDouble(v);
        if (d >= min && d <= max) {
          return d;
        }
        problem(k, v, "out of range");
      } catch (NumberFormatException e) {
        problem(k, v, "not a number");
      }
      return dflt;
    }

    int integer(ConfigKey k, int dflt, int min, int max) {
      String v = value(k);
      if (v == null) {
        return dflt;
      }
      try {
        int i = Integer.parseInt(v);
        if (i >= min && i <= max) {
          return i;
        }
        problem(k, v, "out of range");
      } catch (NumberFormatException e) {
        problem(k, v, "not a whole number");
      }
      return dflt;
    }

    Duration duration(ConfigKey k, Duration dflt, Duration min, Duration max) {
      String v = value(k);
      if (v == null) {
        return dflt;
      }
      Matcher m = DURATION.matcher(v);
      if (!m.matches()) {
        problem(
            k,
            v,
            "not a duration (a whole number with a unit: ms, s, m, h or d, e.g. 1500ms, 30s, 10m)");
        return dflt;
      }
      long n = Long.parseLong(m.group(1));
      Duration d;
      switch (m.group(2)) {
        case "ms":
          d = Duration.ofMillis(n);
          break;
        case "s":
          d = Duration.ofSeconds(n);
          break;
        case "m":
          d = Duration.ofMinutes(n);
          break;
        case "h":
          d = Duration.ofHours(n);
          break;
        default:
          d = Duration.ofDays(n);
      }
      if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
        problem(k, v, "out of range");
        return dflt;
      }
      return d;
    }

    Path path(ConfigKey k) {
      String v = value(k);
      if (v == null || v.isEmpty()) {
        return null;
      }
      try {
        return Path.of(v);
      } catch (InvalidPathException e) {
        problem(k, v, "not a valid path: " + e.getReason());
        return null;
      }
    }

    URI uri(ConfigKey k, String fallback) {
      String v = value(k);
      boolean fromFallback = v == null;
      if (fromFallback) {
        v = fallback;
      }
      if (v == null || v.isBlank()) {
        return null;
      }
      try {
        URI u = new URI(v.trim());
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if ((scheme.equals("http") || scheme.equals("https")) && u.getHost() != null) {
          return u;
        }
      } catch (URISyntaxException e) {
        // reported below
      }
      if (fromFallback) {
        // jdk.tls.stapling.responderURI: the JDK silently ignores a bad value; so do we.
        return null;
      }
      problem(k, v, "not an absolute http(s) URI");
      return null;
    }

    /** One of {@code options} (case-insensitive), returned in lower case. */
    String choice(ConfigKey k, String dflt, String... options) {
      String v = value(k);
      if (v == null) {
        return dflt;
      }
      for (String option : options) {
        if (option.equalsIgnoreCase(v)) {
          return option;
        }
      }
      problem(k, v, "not one of " + String.join(", ", options));
      return dflt;
    }

    /** {@code host:port} (an HTTP proxy, resolved when used) or {@code direct}; null when unset. */
    Proxy proxy(ConfigKey k) {
      String v = value(k);
      if (v == null || v.isEmpty()) {
        return null;
      }
      if (v.equalsIgnoreCase("direct")) {
        return Proxy.NO_PROXY;
      }
      int colon = v.lastIndexOf(':');
      String host = colon > 0 ? v.substring(0, colon) : "";
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      try {
        int port = Integer.parseInt(v.substring(colon + 1));
        if (!host.isEmpty() && !host.contains("/") && port > 0 && port < 65536) {
          return new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(host, port));
        }
      } catch (NumberFormatException | IndexOutOfBoundsException e) {
        // reported below
      }
      problem(k, v, "not host:port or direct");
      return null;
    }

    String logLevel(ConfigKey k, String dflt) {
      String v = value(k);
      if (v == null) {
        return dflt;
      }
      String up = v.toUpperCase(Locale.ROOT);
      switch (up) {
        case "ERROR":
        case "WARN":
        case "INFO":
        case "DEBUG":
        case "TRACE":
          return up;
        default:
          problem(k, v, "not a log level");
          return dflt;
      }
    }

    private static String knownKeys() {
      StringBuilder sb = new StringBuilder();
      for (ConfigKey k : ConfigKey.values()) {
        if (sb.length() > 0) {
          sb.append(", ");
        }
        sb.append(k.key());
      }
      return sb.toString();
    }
  }
}
