package dev.staplekeeper.agent.config;

import java.util.Locale;

/**
 * Every setting StapleKeeper reads: the single source of the table in {@code docs/configuration.md}
 * (a test fails when the two drift apart).
 *
 * <p>Each key is read, in this order of precedence, from the agent arguments ({@code
 * -javaagent:staplekeeper-agent.jar=refreshFraction=0.5,cacheDir=/var/lib/staplekeeper}), the
 * system property {@code staplekeeper.<name>}, and the environment variable {@code
 * STAPLEKEEPER_<NAME>} (camel case split by underscores, e.g. {@code STAPLEKEEPER_CACHE_DIR}).
 */
public enum ConfigKey {
  ENABLED(
      "enabled",
      ValueType.BOOLEAN,
      "true",
      "`true` or `false`",
      "Master switch. `false` leaves the JDK's stapling untouched."),
  ENABLE_STATUS_REQUEST_EXTENSION(
      "enableStatusRequestExtension",
      ValueType.BOOLEAN,
      "true",
      "`true` or `false`",
      "Sets `jdk.tls.server.enableStatusRequestExtension=true` at start when the user left it unset, so the server answers status_request at all. An explicit `false` from the user always wins."),
  REFRESH_FRACTION(
      "refreshFraction",
      ValueType.FRACTION,
      "0.5",
      "0.05 to 0.95",
      "Point of a response's validity window (thisUpdate to nextUpdate) at which a fresher one is fetched in the background."),
  REFRESH_JITTER(
      "refreshJitter",
      ValueType.FRACTION,
      "0.05",
      "0 to 0.5 (and below refreshFraction)",
      "Random share of the validity window by which each refresh is moved earlier, so a fleet does not refresh in step."),
  RETRY_INITIAL_BACKOFF(
      "retryInitialBackoff",
      ValueType.DURATION,
      "2s",
      "100ms to 1h",
      "Wait before the first retry after a failed fetch; doubles with each further failure."),
  RETRY_MAX_BACKOFF(
      "retryMaxBackoff",
      ValueType.DURATION,
      "10m",
      "1s to 1d, at least retryInitialBackoff",
      "Cap of the retry backoff. Retries carry ±25 % jitter."),
  CONNECT_TIMEOUT(
      "connectTimeout",
      ValueType.DURATION,
      "5s",
      "100ms to 5m",
      "TCP connect timeout towards the OCSP responder."),
  FETCH_TIMEOUT(
      "fetchTimeout",
      ValueType.DURATION,
      "10s",
      "100ms to 5m",
      "Deadline of one whole OCSP exchange (connect, send, read), also against a responder that trickles bytes."),
  COLD_WAIT(
      "coldWait",
      ValueType.DURATION,
      "`jdk.tls.stapling.responseTimeout` if set, else 1s",
      "0ms to 30s",
      "Longest time a handshake waits for the very first response of a certificate (usually already on its way from the prefetch). Once that first fetch has ended, or one handshake has waited this long in vain, no handshake waits again."),
  MAX_RESPONSE_BYTES(
      "maxResponseBytes",
      ValueType.INT,
      "65536",
      "1024 to 10485760",
      "Largest OCSP response body accepted; larger ones are rejected and not stapled."),
  CLOCK_SKEW(
      "clockSkew",
      ValueType.DURATION,
      "5m",
      "0ms to 1h",
      "How far in the future a response's thisUpdate may be and still be accepted."),
  STAPLE_REVOKED(
      "stapleRevoked",
      ValueType.BOOLEAN,
      "true",
      "`true` or `false`",
      "Staple a valid `revoked` response (it replaces the good one, logged at ERROR). `false` sends no staple for a revoked certificate."),
  CACHE_SIZE(
      "cacheSize", ValueType.INT, "1000", "1 to 1000000", "Most certificates tracked at once."),
  CACHE_DIR(
      "cacheDir",
      ValueType.PATH,
      "unset (memory only)",
      "a directory path",
      "Directory where every accepted response is stored (atomic write, owner-only permissions) and from which it is reloaded and re-validated at start."),
  PREFETCH(
      "prefetch",
      ValueType.BOOLEAN,
      "true",
      "`true` or `false`",
      "Fetch responses as soon as an SSLContext is initialised with the server's certificates, before the first handshake."),
  RESPONDER_URI(
      "responderUri",
      ValueType.URI,
      "`jdk.tls.stapling.responderURI` if set, else unset",
      "an http or https URI",
      "Responder used for certificates without an OCSP URL in their AIA extension (or for all, with responderOverride)."),
  RESPONDER_OVERRIDE(
      "responderOverride",
      ValueType.BOOLEAN,
      "`jdk.tls.stapling.responderOverride` if set, else false",
      "`true` or `false`",
      "Use responderUri for every certificate, ignoring AIA."),
  HTTP_METHOD(
      "httpMethod",
      ValueType.CHOICE,
      "auto",
      "`auto` or `post`",
      "`auto`: a request whose URL-encoded form is at most 255 characters goes as an RFC 5019 GET (what the JDK's client does; HTTP caches and CDNs can answer it), a longer one as POST. `post`: always POST."),
  PROXY(
      "proxy",
      ValueType.PROXY,
      "unset (the JVM's proxy settings)",
      "`host:port` or `direct`",
      "HTTP proxy for OCSP requests alone. Unset: the JVM's `ProxySelector` decides, as for the JDK's own OCSP client (`http.proxyHost`/`http.proxyPort`, `https.proxyHost`/`https.proxyPort`, `http.nonProxyHosts`, `java.net.useSystemProxies`). `direct`: never a proxy."),
  JMX(
      "jmx",
      ValueType.BOOLEAN,
      "true",
      "`true` or `false`",
      "Register the read-only MBean `dev.staplekeeper:type=Staples` (per-certificate status, time left, next fetch, last error). Registered after start, never during premain."),
  LOG_LEVEL(
      "logLevel",
      ValueType.LOG_LEVEL,
      "INFO",
      "ERROR, WARN, INFO, DEBUG, TRACE",
      "Level of the `dev.staplekeeper` java.util.logging logger."),
  FAIL_LOOKUPS_FOR_TESTING(
      "failLookupsForTesting",
      ValueType.BOOLEAN,
      "false",
      "`true` or `false`",
      "Testing only: every handshake-path lookup throws inside StapleKeeper, to prove that the JDK's own stapling then runs unharmed.");

  /** The kinds of value a key takes; each has one parser in {@link AgentConfig}. */
  public enum ValueType {
    BOOLEAN,
    FRACTION,
    DURATION,
    INT,
    PATH,
    URI,
    LOG_LEVEL,
    CHOICE,
    PROXY
  }

  private final String key;
  private final ValueType type;
  private final String defaultText;
  private final String range;
  private final String description;

  ConfigKey(String key, ValueType type, String defaultText, String range, String description) {
    this.key = key;
    this.type = type;
    this.defaultText = defaultText;
    this.range = range;
    this.description = description;
  }

  /** Name used in agent arguments, e.g. {@code refreshFraction}. */
  public String key() {
    return key;
  }

  /** System property name, e.g. {@code staplekeeper.refreshFraction}. */
  public String propertyName() {
    return "staplekeeper." + key;
  }

  /** Environment variable name, e.g. {@code STAPLEKEEPER_REFRESH_FRACTION}. */
  public String environmentName() {
    return "STAPLEKEEPER_" + key.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
  }

  public ValueType type() {
    return type;
  }

  public String defaultText() {
    return defaultText;
  }

  public String range() {
    return range;
  }

  public String description() {
    return description;
  }

  /** The key for a name as written in agent arguments or after the property prefix, or null. */
  public static ConfigKey forKey(String name) {
    for (ConfigKey k : values()) {
      if (k.key.equals(name)) {
        return k;
      }
    }
    return null;
  }
}
