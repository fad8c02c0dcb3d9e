package dev.staplekeeper.agent.config;

import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every setting StapleKeeper reads, each declared once as a typed spec: name, type, default, range,
 * parser and description. {@link AgentConfig} parses and range-checks every key from this spec, the
 * table in {@code docs/configuration.md} is generated from it ({@code ConfigurationDocTest} fails
 * when the two drift apart), and {@code AgentConfigTest} checks every key's default and bounds from
 * it.
 *
 * <p>Each key is read, in this order of precedence, from the agent arguments ({@code
 * -javaagent:staplekeeper-agent.jar=refreshFraction=0.5,cacheDir=/var/lib/staplekeeper}), the
 * system property {@code staplekeeper.<name>}, and the environment variable {@code
 * STAPLEKEEPER_<NAME>} (camel case split by underscores, e.g. {@code STAPLEKEEPER_CACHE_DIR}).
 *
 * <h2>Adding a key</h2>
 *
 * One declaration below, with the factory of its type ({@link #bool}, {@link #fraction}, {@link
 * #integer}, {@link #duration}, {@link #path}, {@link #uri}, {@link #oneOf}, or {@link #custom} for
 * anything else), e.g.
 *
 * <pre>{@code
 * public static final ConfigKey<Integer> MAX_STAPLE_BYTES =
 *     integer("maxStapleBytes", 16384, 1024, 65536, "Largest response stapled.");
 * }</pre>
 *
 * Its position among the declarations is its row in the docs table. Read it with {@code
 * config.get(ConfigKey.MAX_STAPLE_BYTES)} (a named getter on {@link AgentConfig} is optional), then
 * regenerate the docs table: {@code mvn -pl agent -am test -Dtest=ConfigurationDocTest
 * -Dstaplekeeper.updateDocs=true -Dsurefire.failIfNoSpecifiedTests=false}. Rules that relate two
 * keys (e.g. jitter below fraction) go into {@link AgentConfig}'s constructor. {@code
 * AgentConfigTest} then checks the new key's default, bounds and a wrongly typed value by itself; a
 * {@link #custom} key needs a test of its own for what it rejects.
 */
public final class ConfigKey<T> {
  /** The kinds of value a key takes. */
  public enum ValueType {
    BOOLEAN,
    FRACTION,
    DURATION,
    INT,
    PATH,
    URI,
    CHOICE,
    OTHER
  }

  /** Turns trimmed text into a value; throws {@link IllegalArgumentException} saying why not. */
  @FunctionalInterface
  public interface Parser<T> {
    T parse(String text);
  }

  private static final List<ConfigKey<?>> ALL = new ArrayList<>();
  private static final Pattern DURATION = Pattern.compile("(\\d{1,12})(ms|s|m|h|d)");

  public static final ConfigKey<Boolean> ENABLED =
      bool("enabled", true, "Master switch. `false` leaves the JDK's stapling untouched.");
  public static final ConfigKey<Boolean> ENABLE_STATUS_REQUEST_EXTENSION =
      bool(
          "enableStatusRequestExtension",
          true,
          "Sets `jdk.tls.server.enableStatusRequestExtension=true` at start when the user left it"
              + " unset, so the server answers status_request at all. An explicit `false` from the"
              + " user always wins.");
  public static final ConfigKey<Double> REFRESH_FRACTION =
      fraction(
          "refreshFraction",
          0.5,
          0.05,
          0.95,
          "Point of a response's validity window (thisUpdate to nextUpdate) at which a fresher one"
              + " is fetched in the background.");
  public static final ConfigKey<Double> REFRESH_JITTER =
      fraction(
              "refreshJitter",
              0.05,
              0,
              0.5,
              "Random share of the validity window by which each refresh is moved earlier, so a"
                  + " fleet does not refresh in step.")
          .rangeNote(" (and below refreshFraction)");
  public static final ConfigKey<Duration> RETRY_INITIAL_BACKOFF =
      duration(
          "retryInitialBackoff",
          "2s",
          "100ms",
          "1h",
          "Wait before the first retry after a failed fetch; doubles with each further failure.");
  public static final ConfigKey<Duration> RETRY_MAX_BACKOFF =
      duration(
              "retryMaxBackoff",
              "10m",
              "1s",
              "1d",
              "Cap of the retry backoff. Retries carry ±25 % jitter.")
          .rangeNote(", at least retryInitialBackoff");
  public static final ConfigKey<Duration> MISS_RETRY_MAX_BACKOFF =
      duration(
          "missRetryMaxBackoff",
          "30s",
          "100ms",
          "1d",
          "Cap of the retry backoff while a certificate has nothing valid to staple (never"
              + " fetched, expired, or every attempt failed), so a recovered responder is asked"
              + " again within this long even without handshakes.");
  public static final ConfigKey<Duration> MISS_RETRY_INTERVAL =
      duration(
          "missRetryInterval",
          "5s",
          "100ms",
          "10m",
          "While a certificate has nothing valid to staple, a handshake may start a fetch at once"
              + " when none is in flight and the last one started at least this long ago. The"
              + " handshake does not wait for it; a dead responder gets at most one request per"
              + " certificate per this interval from handshakes.");
  public static final ConfigKey<Duration> CONNECT_TIMEOUT =
      duration(
          "connectTimeout", "5s", "100ms", "5m", "TCP connect timeout towards the OCSP responder.");
  public static final ConfigKey<Duration> FETCH_TIMEOUT =
      duration(
          "fetchTimeout",
          "10s",
          "100ms",
          "5m",
          "Deadline of one whole OCSP exchange (connect, send, read), also against a responder"
              + " that trickles bytes.");
  public static final ConfigKey<Integer> FETCH_CONCURRENCY =
      integer(
          "fetchConcurrency",
          4,
          2,
          64,
          "Most OCSP fetches in flight at once (the fetch threads). One responder host gets at most"
              + " half of them; the others wait in a queue served fairly across hosts, so a"
              + " hanging responder cannot starve the certificates of another one.");
  public static final ConfigKey<Duration> COLD_WAIT =
      duration(
              "coldWait",
              "1s",
              "0ms",
              "30s",
              "Longest time a handshake waits for the very first response of a certificate"
                  + " (usually already on its way from the prefetch). Once that first fetch has"
                  + " ended, or one handshake has waited this long in vain, no handshake waits"
                  + " again.")
          .defaultFrom(
              "`jdk.tls.stapling.responseTimeout` if set, else 1s",
              // the JDK's setting is in milliseconds; out of our range or malformed: our default
              new JdkProperty<>("jdk.tls.stapling.responseTimeout", true));
  public static final ConfigKey<Integer> MAX_RESPONSE_BYTES =
      integer(
          "maxResponseBytes",
          65536,
          1024,
          10 * 1024 * 1024,
          "Largest OCSP response body accepted; larger ones are rejected and not stapled.");
  public static final ConfigKey<Integer> MAX_STAPLE_BYTES =
      integer(
          "maxStapleBytes",
          16384,
          1024,
          32768,
          "Largest response stapled, as re-encoded by StapleKeeper (canonical DER, only the signer"
              + " certificate kept). Larger ones are rejected with the size in the log line: clients"
              + " abort handshakes with oversized messages (the JDK at 32768 bytes, chain"
              + " included).");
  public static final ConfigKey<Duration> CLOCK_SKEW =
      duration(
          "clockSkew",
          "5m",
          "0ms",
          "1h",
          "How far in the future a response's thisUpdate may be and still be accepted.");
  public static final ConfigKey<Boolean> STAPLE_REVOKED =
      bool(
          "stapleRevoked",
          true,
          "Staple a valid `revoked` response (it replaces the good one, logged at ERROR). `false`"
              + " sends no staple for a revoked certificate.");
  public static final ConfigKey<Integer> CACHE_SIZE =
      integer(
          "cacheSize",
          10_000,
          1,
          1_000_000,
          "Most certificates tracked at once (about 4 KB of heap each). Beyond it the least recently used is dropped (one"
              + " WARNING says to raise it); when asked for again it is fetched again, without"
              + " making handshakes wait.");
  public static final ConfigKey<Duration> RETIRE_AFTER =
      duration(
          "retireAfter",
          "0ms",
          "0ms",
          "3650d",
          "A certificate that no server context presents any more and that no handshake asked for"
              + " during this long is no longer refreshed and leaves the cache and the store (one"
              + " INFO line). `0ms`: one validity window of its held response.");
  public static final ConfigKey<Path> CACHE_DIR =
      path(
          "cacheDir",
          "unset (memory only)",
          "a directory path",
          "Directory where every accepted response is stored (atomic write, owner-only"
              + " permissions) and from which it is reloaded and re-validated at start.");
  public static final ConfigKey<Boolean> CACHE_DIR_REQUIRE_PRIVATE =
      bool(
          "cacheDirRequirePrivate",
          false,
          "A cacheDir writable by group or others, or owned by another user, is refused (responses"
              + " kept in memory only) when `true`; used with a WARNING when `false`.");
  public static final ConfigKey<Boolean> PREFETCH =
      bool(
          "prefetch",
          true,
          "Fetch responses as soon as an SSLContext is initialised with the server's"
              + " certificates, before the first handshake.");
  public static final ConfigKey<URI> RESPONDER_URI =
      uri(
              "responderUri",
              "Responder used for certificates without an OCSP URL in their AIA extension (or for"
                  + " all, with responderOverride).")
          .defaultFrom(
              "`jdk.tls.stapling.responderURI` if set, else unset",
              // the JDK silently ignores a bad value; so do we
              new JdkProperty<>("jdk.tls.stapling.responderURI", false));
  public static final ConfigKey<Boolean> RESPONDER_OVERRIDE =
      bool("responderOverride", false, "Use responderUri for every certificate, ignoring AIA.")
          .defaultFrom(
              "`jdk.tls.stapling.responderOverride` if set, else false",
              new JdkProperty<>("jdk.tls.stapling.responderOverride", false));
  public static final ConfigKey<String> HTTP_METHOD =
      oneOf(
          "httpMethod",
          "auto",
          "`auto`: a request whose URL-encoded form is at most 255 characters goes as an RFC 5019"
              + " GET (what the JDK's client does; HTTP caches and CDNs can answer it), a longer"
              + " one as POST. `post`: always POST.",
          "auto",
          "post");
  public static final ConfigKey<Proxy> PROXY =
      custom(
          "proxy",
          new Builtin<>(Builtin.PROXY, null),
          null,
          "unset (the JVM's proxy settings)",
          "`host:port` or `direct`",
          "HTTP proxy for OCSP requests alone. Unset: the JVM's `ProxySelector` decides, as for"
              + " the JDK's own OCSP client (`http.proxyHost`/`http.proxyPort`,"
              + " `https.proxyHost`/`https.proxyPort`, `http.nonProxyHosts`,"
              + " `java.net.useSystemProxies`). `direct`: never a proxy.");
  public static final ConfigKey<Boolean> JMX =
      bool(
          "jmx",
          true,
          "Register the read-only MBean `dev.staplekeeper:type=Staples` (per-certificate status,"
              + " time left, next fetch, last error). Registered after start, never during"
              + " premain.");
  public static final ConfigKey<String> LOG_LEVEL =
      oneOf(
          "logLevel",
          "INFO",
          "Level of the `dev.staplekeeper` java.util.logging logger.",
          "ERROR",
          "WARN",
          "INFO",
          "DEBUG",
          "TRACE");
  public static final ConfigKey<Boolean> FAIL_LOOKUPS_FOR_TESTING =
      bool(
          "failLookupsForTesting",
          false,
          "Testing only: every handshake-path lookup throws inside StapleKeeper, to prove that the"
              + " JDK's own stapling then runs unharmed.");

  private final String key;
  private final ValueType type;
  private final Parser<T> parser;
  private final T defaultValue;
  private final T min;
  private final T max;
  private final String description;
  // set only while the declarations above run (the class is immutable once initialised)
  private String defaultText;
  private String range;
  private BiFunction<Properties, ConfigKey<T>, T> defaultFrom;

  private ConfigKey(
      String key,
      ValueType type,
      Parser<T> parser,
      T defaultValue,
      String defaultText,
      T min,
      T max,
      String range,
      String description) {
    this.key = key;
    this.type = type;
    this.parser = parser;
    this.defaultValue = defaultValue;
    this.defaultText = defaultText;
    this.min = min;
    this.max = max;
    this.range = range;
    this.description = description;
    ALL.add(this);
  }

  // ---- factories: one per kind of value ----

  /** {@code true} or {@code false}, any case. */
  public static ConfigKey<Boolean> bool(String key, boolean dflt, String description) {
    return new ConfigKey<>(
        key,
        ValueType.BOOLEAN,
        new Builtin<>(Builtin.BOOLEAN, null),
        dflt,
        String.valueOf(dflt),
        null,
        null,
        "`true` or `false`",
        description);
  }

  /** A decimal number between {@code min} and {@code max}, both included. */
  public static ConfigKey<Double> fraction(
      String key, double dflt, double min, double max, String description) {
    return new ConfigKey<>(
        key,
        ValueType.FRACTION,
        new Builtin<>(Builtin.FRACTION, null),
        dflt,
        decimal(dflt),
        min,
        max,
        decimal(min) + " to " + decimal(max),
        description);
  }

  /** A whole number between {@code min} and {@code max}, both included. */
  public static ConfigKey<Integer> integer(
      String key, int dflt, int min, int max, String description) {
    return new ConfigKey<>(
        key,
        ValueType.INT,
        new Builtin<>(Builtin.INTEGER, null),
        dflt,
        String.valueOf(dflt),
        min,
        max,
        min + " to " + max,
        description);
  }

  /** A duration such as {@code 1500ms} or {@code 10m}; default and bounds in the same form. */
  public static ConfigKey<Duration> duration(
      String key, String dflt, String min, String max, String description) {
    return new ConfigKey<>(
        key,
        ValueType.DURATION,
        new Builtin<>(Builtin.DURATION, null),
        parseDuration(dflt),
        dflt,
        parseDuration(min),
        parseDuration(max),
        min + " to " + max,
        description);
  }

  /** A file system path; unset or empty means none (null). */
  public static ConfigKey<Path> path(
      String key, String defaultText, String range, String description) {
    return new ConfigKey<>(
        key,
        ValueType.PATH,
        new Builtin<>(Builtin.PATH, null),
        null,
        defaultText,
        null,
        null,
        range,
        description);
  }

  /** An absolute http or https URI; unset means none (null). */
  public static ConfigKey<URI> uri(String key, String description) {
    return new ConfigKey<>(
        key,
        ValueType.URI,
        new Builtin<>(Builtin.URI, null),
        null,
        "unset",
        null,
        null,
        "an http or https URI",
        description);
  }

  /** One of {@code choices}, any case; the value is the choice as declared. */
  /** {@code host:port} (an HTTP proxy, resolved when used) or {@code direct}. */
  private static Proxy parseProxy(String v) {
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
    throw new IllegalArgumentException("not host:port or direct");
  }

  public static ConfigKey<String> oneOf(
      String key, String dflt, String description, String... choices) {
    List<String> list = List.of(choices);
    return new ConfigKey<>(
        key,
        ValueType.CHOICE,
        new Builtin<>(Builtin.CHOICE, list),
        dflt,
        dflt,
        null,
        null,
        String.join(", ", list),
        description);
  }

  /** Anything else: its own parser, default (null for none), and texts for the docs. */
  public static <T> ConfigKey<T> custom(
      String key, Parser<T> parser, T dflt, String defaultText, String range, String description) {
    return new ConfigKey<>(
        key, ValueType.OTHER, parser, dflt, defaultText, null, null, range, description);
  }

  /** Appends {@code note} to the range text, for a rule {@link AgentConfig} checks across keys. */
  private ConfigKey<T> rangeNote(String note) {
    range = range + note;
    return this;
  }

  /** The default depends on the JVM's system properties (a JDK setting StapleKeeper honours). */
  private ConfigKey<T> defaultFrom(
      String text, BiFunction<Properties, ConfigKey<T>, T> fromSystemProperties) {
    defaultText = text;
    defaultFrom = fromSystemProperties;
    return this;
  }

  // ---- the spec ----

  /** Every key, in declaration order (the order of the docs table). */
  public static List<ConfigKey<?>> values() {
    return Collections.unmodifiableList(ALL);
  }

  /** The key for a name as written in agent arguments or after the property prefix, or null. */
  public static ConfigKey<?> forKey(String name) {
    for (ConfigKey<?> k : ALL) {
      if (k.key.equals(name)) {
        return k;
      }
    }
    return null;
  }

  /** Name used in agent arguments, e.g. {@code refreshFraction}. */
  public String key() {
    return key;
  }

  /** System property name, e.g. {@code staplekeeper.refreshFraction}. */
  public String propertyName() {
    return AgentConfig.PREFIX + key;
  }

  /** Environment variable name, e.g. {@code STAPLEKEEPER_REFRESH_FRACTION}. */
  public String environmentName() {
    return AgentConfig.ENV_PREFIX
        + key.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
  }

  public ValueType type() {
    return type;
  }

  /** The default as the docs show it. */
  public String defaultText() {
    return defaultText;
  }

  /** The accepted values as the docs and error messages show them. */
  public String range() {
    return range;
  }

  public String description() {
    return description;
  }

  /** Smallest accepted value, or null when the type has no order. */
  public T min() {
    return min;
  }

  /** Largest accepted value, or null when the type has no order. */
  public T max() {
    return max;
  }

  /** The value when the key is unset, given the JVM's system properties (may be null). */
  public T defaultValue(Properties systemProperties) {
    return defaultFrom == null ? defaultValue : defaultFrom.apply(systemProperties, this);
  }

  /**
   * Parses trimmed {@code text} and checks it against the range.
   *
   * @throws IllegalArgumentException whose message says why the text is not accepted
   */
  public T parse(String text) {
    T value = parser.parse(text);
    if (min != null && value != null && (compare(value, min) < 0 || compare(value, max) > 0)) {
      throw new IllegalArgumentException("out of range");
    }
    return value;
  }

  @Override
  public String toString() {
    return key;
  }

  @SuppressWarnings("unchecked")
  private static <T> int compare(T a, T b) {
    return ((Comparable<T>) a).compareTo(b);
  }

  /**
   * The parsers of the kinds above as one plain class. Lambdas or method references here would make
   * premain bootstrap the JVM's lambda machinery before the application's {@code main} (about 30 ms
   * on a cold JVM, docs/benchmarks.md section 4.2); {@code AgentJarIT} checks that no lambda of the
   * agent is spun before {@code main}.
   */
  private static final class Builtin<T> implements Parser<T> {
    static final int BOOLEAN = 0;
    static final int FRACTION = 1;
    static final int INTEGER = 2;
    static final int DURATION = 3;
    static final int PATH = 4;
    static final int URI = 5;
    static final int CHOICE = 6;
    static final int PROXY = 7;

    private final int kind;
    private final List<String> choices;

    Builtin(int kind, List<String> choices) {
      this.kind = kind;
      this.choices = choices;
    }

    @Override
    @SuppressWarnings("unchecked")
    public T parse(String text) {
      switch (kind) {
        case BOOLEAN:
          return (T) parseBoolean(text);
        case FRACTION:
          return (T) parseFraction(text);
        case INTEGER:
          return (T) parseInteger(text);
        case DURATION:
          return (T) parseDuration(text);
        case PATH:
          return (T) parsePath(text);
        case URI:
          return (T) parseUri(text);
        case PROXY:
          return (T) parseProxy(text);
        default:
          for (String c : choices) {
            if (c.equalsIgnoreCase(text)) {
              return (T) c;
            }
          }
          throw new IllegalArgumentException("not one of " + String.join(", ", choices));
      }
    }
  }

  /** A default taken from a JDK system property, in milliseconds when {@code millis}. */
  private static final class JdkProperty<T> implements BiFunction<Properties, ConfigKey<T>, T> {
    private final String property;
    private final boolean millis;

    JdkProperty(String property, boolean millis) {
      this.property = property;
      this.millis = millis;
    }

    @Override
    public T apply(Properties system, ConfigKey<T> self) {
      String text = system.getProperty(property);
      return self.parseOrDefault(millis ? millis(text) : text);
    }
  }

  // ---- parsers, one per kind ----

  private static Boolean parseBoolean(String v) {
    if (v.equalsIgnoreCase("true")) {
      return true;
    }
    if (v.equalsIgnoreCase("false")) {
      return false;
    }
    throw new IllegalArgumentException("not a boolean");
  }

  private static Double parseFraction(String v) {
    try {
      return Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a number");
    }
  }

  private static Integer parseInteger(String v) {
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a whole number");
    }
  }

  /** {@code 1500ms}, {@code 30s}, {@code 10m}, {@code 2h}, {@code 1d}. */
  static Duration parseDuration(String v) {
    Matcher m = DURATION.matcher(v);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "not a duration (a whole number with a unit: ms, s, m, h or d, e.g. 1500ms, 30s, 10m)");
    }
    long n = Long.parseLong(m.group(1));
    switch (m.group(2)) {
      case "ms":
        return Duration.ofMillis(n);
      case "s":
        return Duration.ofSeconds(n);
      case "m":
        return Duration.ofMinutes(n);
      case "h":
        return Duration.ofHours(n);
      default:
        return Duration.ofDays(n);
    }
  }

  private static Path parsePath(String v) {
    if (v.isEmpty()) {
      return null;
    }
    try {
      return Path.of(v);
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException("not a valid path: " + e.getReason());
    }
  }

  private static URI parseUri(String v) {
    if (v.isBlank()) {
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
    throw new IllegalArgumentException("not an absolute http(s) URI");
  }

  /** {@code text} parsed and range-checked, or the declared default when unset or not accepted. */
  private T parseOrDefault(String text) {
    try {
      return text == null ? defaultValue : parse(text.trim());
    } catch (IllegalArgumentException e) {
      return defaultValue;
    }
  }

  private static String millis(String text) {
    return text == null ? null : text.trim() + "ms";
  }

  /**
   * {@code 0.5}, {@code 0.05}, {@code 0}, {@code 1}: the shortest decimal of {@code d} (fractions
   * of a validity window, never in exponent form), without BigDecimal, whose class initialisation
   * costs milliseconds while premain runs.
   */
  static String decimal(double d) {
    String s = Double.toString(d);
    return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
  }
}
