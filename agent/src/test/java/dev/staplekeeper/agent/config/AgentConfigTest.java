package dev.staplekeeper.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class AgentConfigTest {

  private static Properties props(String... kv) {
    Properties p = new Properties();
    for (int i = 0; i < kv.length; i += 2) {
      p.setProperty(kv[i], kv[i + 1]);
    }
    return p;
  }

  @Test
  void defaultsMatchTheDocumentedValues() {
    AgentConfig c = AgentConfig.defaults();
    assertThat(c.enabled()).isTrue();
    assertThat(c.refreshFraction()).isEqualTo(0.5);
    assertThat(c.retryInitialBackoff()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.retryMaxBackoff()).isEqualTo(Duration.ofMinutes(10));
    assertThat(c.coldWait()).isEqualTo(Duration.ofSeconds(1));
    assertThat(c.maxResponseBytes()).isEqualTo(65536);
    assertThat(c.cacheDir()).isNull();
    assertThat(c.stapleRevoked()).isTrue();
    assertThat(c.describeNonDefaults()).isEqualTo("defaults");
  }

  /** Hand-written: what the docs promise, so that a changed spec default fails here first. */
  @Test
  void everyDefaultIsTheDocumentedOne() {
    AgentConfig c = AgentConfig.defaults();
    assertThat(c.enableStatusRequestExtension()).isTrue();
    assertThat(c.refreshJitter()).isEqualTo(0.05);
    assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.fetchTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.clockSkew()).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.cacheSize()).isEqualTo(10_000);
    assertThat(c.prefetch()).isTrue();
    assertThat(c.responderUri()).isNull();
    assertThat(c.responderOverride()).isFalse();
    assertThat(c.httpPostOnly()).isFalse();
    assertThat(c.jmx()).isTrue();
    assertThat(c.logLevel()).isEqualTo("INFO");
    assertThat(c.failLookupsForTesting()).isFalse();
    for (ConfigKey<?> k : ConfigKey.values()) {
      Object expected = k.defaultValue(new Properties());
      assertThat((Object) c.get(k)).as("default of %s", k).isEqualTo(expected);
      if (expected != null && k.type() != ConfigKey.ValueType.DURATION) {
        assertThat(k.defaultText()).as("documented default of %s", k).contains(text(expected));
      }
      if (expected instanceof Duration) {
        assertThat(k.defaultText()).contains(AgentConfig.format((Duration) expected));
      }
    }
  }

  /** Every key with a range: both bounds accepted, one step beyond each rejected, naming it. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("rangedKeys")
  void everyRangedKeyAcceptsItsBoundsAndRejectsOneStepBeyond(ConfigKey<?> k) throws Exception {
    for (Object bound : new Object[] {k.min(), k.max()}) {
      AgentConfig c = AgentConfig.from(k.key() + "=" + text(bound), relaxed(), Map.of());
      assertThat((Object) c.get(k)).as("%s=%s", k, text(bound)).isEqualTo(bound);
      assertThat(k.range()).startsWith(text(k.min()) + " to " + text(k.max()));
    }
    for (String beyond : new String[] {step(k.min(), -1), step(k.max(), +1)}) {
      if (beyond == null) {
        continue;
      }
      assertThatThrownBy(() -> AgentConfig.from(k.key() + "=" + beyond, relaxed(), Map.of()))
          .as("%s=%s", k, beyond)
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("agent argument " + k.key() + "='" + beyond + "'")
          .hasMessageContaining("out of range")
          .hasMessageContaining(k.range());
    }
  }

  /**
   * Every key of a standard kind rejects a value of the wrong kind, naming the property and its
   * range. ({@link ConfigKey#custom} keys bring their own rejected examples in tests of their own.)
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("standardKeys")
  void everyKeyRejectsAValueOfTheWrongKind(ConfigKey<?> k) {
    String bad = wrongKind(k.type());
    assertThatThrownBy(() -> AgentConfig.from(null, props(k.propertyName(), bad), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("system property " + k.propertyName() + "='" + bad + "'")
        .hasMessageContaining(k.range());
  }

  static Stream<ConfigKey<?>> allKeys() {
    return ConfigKey.values().stream();
  }

  static Stream<ConfigKey<?>> standardKeys() {
    return allKeys().filter(k -> k.type() != ConfigKey.ValueType.OTHER);
  }

  static Stream<ConfigKey<?>> rangedKeys() {
    return allKeys().filter(k -> k.min() != null);
  }

  @Test
  void theTableCoversTheKindsOfKeys() {
    assertThat(rangedKeys().map(ConfigKey::type))
        .contains(
            ConfigKey.ValueType.FRACTION, ConfigKey.ValueType.INT, ConfigKey.ValueType.DURATION);
    assertThat(rangedKeys()).hasSizeGreaterThanOrEqualTo(10);
  }

  /**
   * Settings that keep the cross-key rules (jitter below fraction, max backoff at least initial)
   * out of the way of a single key's bounds; agent arguments override them.
   */
  private static Properties relaxed() {
    return props(
        "staplekeeper.refreshFraction", "0.95",
        "staplekeeper.refreshJitter", "0",
        "staplekeeper.retryInitialBackoff", "100ms",
        "staplekeeper.retryMaxBackoff", "1d");
  }

  private static String text(Object value) {
    if (value instanceof Duration) {
      return AgentConfig.format((Duration) value);
    }
    if (value instanceof Double) {
      return new java.math.BigDecimal(value.toString()).stripTrailingZeros().toPlainString();
    }
    return String.valueOf(value);
  }

  /** The value one step beyond {@code bound}, or null when there is none (a zero duration). */
  private static String step(Object bound, int direction) {
    if (bound instanceof Duration) {
      Duration d = ((Duration) bound).plusMillis(direction);
      return d.isNegative() ? null : d.toMillis() + "ms";
    }
    if (bound instanceof Integer) {
      return String.valueOf((Integer) bound + direction);
    }
    return text((Double) bound + direction * 0.001);
  }

  private static String wrongKind(ConfigKey.ValueType type) {
    switch (type) {
      case BOOLEAN:
        return "yes";
      case FRACTION:
        return "half";
      case INT:
        return "1.5";
      case DURATION:
        return "5";
      case PATH:
        return "a\0b";
      case URI:
        return "ldap://x";
      case CHOICE:
        return "LOUD";
      default:
        throw new IllegalArgumentException("no wrong-kind example for " + type);
    }
  }

  @Test
  void agentArgumentsBeatSystemPropertiesWhichBeatEnvironment() throws Exception {
    AgentConfig c =
        AgentConfig.from(
            "refreshFraction=0.7",
            props("staplekeeper.refreshFraction", "0.6", "staplekeeper.cacheSize", "5"),
            Map.of(
                "STAPLEKEEPER_REFRESH_FRACTION",
                "0.4",
                "STAPLEKEEPER_CACHE_SIZE",
                "7",
                "STAPLEKEEPER_CLOCK_SKEW",
                "1m"));
    assertThat(c.refreshFraction()).isEqualTo(0.7);
    assertThat(c.cacheSize()).isEqualTo(5);
    assertThat(c.clockSkew()).isEqualTo(Duration.ofMinutes(1));
  }

  @Test
  void agentArgumentsMayCarryThePropertyPrefix() throws Exception {
    AgentConfig c =
        AgentConfig.from(
            "staplekeeper.coldWait=250ms, httpMethod=post", new Properties(), Map.of());
    assertThat(c.coldWait()).isEqualTo(Duration.ofMillis(250));
    assertThat(c.httpPostOnly()).isTrue();
  }

  @Test
  void httpMethodIsAutoByDefaultAndPostOnRequest() throws Exception {
    assertThat(AgentConfig.defaults().httpPostOnly()).isFalse();
    assertThat(AgentConfig.from("httpMethod=AUTO", new Properties(), Map.of()).httpPostOnly())
        .isFalse();
    assertThatThrownBy(() -> AgentConfig.from("httpMethod=get", new Properties(), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("httpMethod='get' is invalid: not one of auto, post");
  }

  @Test
  void proxyIsTheJvmsByDefaultAHostAndPortOrDirect() throws Exception {
    assertThat(AgentConfig.defaults().proxy()).isNull();
    Proxy fixed =
        AgentConfig.from("proxy=proxy.example.test:3128", new Properties(), Map.of()).proxy();
    assertThat(fixed.type()).isEqualTo(Proxy.Type.HTTP);
    InetSocketAddress address = (InetSocketAddress) fixed.address();
    assertThat(address.getHostString()).isEqualTo("proxy.example.test");
    assertThat(address.getPort()).isEqualTo(3128);
    assertThat(address.isUnresolved()).as("resolved when used, not at start").isTrue();
    assertThat(AgentConfig.from(null, props("staplekeeper.proxy", "DIRECT"), Map.of()).proxy())
        .isEqualTo(Proxy.NO_PROXY);
    for (String bad :
        new String[] {"proxy.example.test", ":3128", "host:0", "host:x", "http://h:1"}) {
      assertThatThrownBy(() -> AgentConfig.from("proxy=" + bad, new Properties(), Map.of()))
          .as(bad)
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("not host:port or direct");
    }
  }

  @Test
  void coldWaitFollowsTheJdkResponseTimeoutWhenUnset() throws Exception {
    AgentConfig c =
        AgentConfig.from(null, props("jdk.tls.stapling.responseTimeout", "300"), Map.of());
    assertThat(c.coldWait()).isEqualTo(Duration.ofMillis(300));
  }

  @Test
  void jdkResponderPropertiesAreHonoured() throws Exception {
    AgentConfig c =
        AgentConfig.from(
            null,
            props(
                "jdk.tls.stapling.responderURI", "http://ocsp.example:8080/x",
                "jdk.tls.stapling.responderOverride", "true"),
            Map.of());
    assertThat(c.responderUri()).hasToString("http://ocsp.example:8080/x");
    assertThat(c.responderOverride()).isTrue();
  }

  @ParameterizedTest(name = "{0}={1} is rejected naming the key and range")
  @CsvSource(
      delimiter = '|',
      value = {
        "staplekeeper.refreshFraction|1.5|0.05 to 0.95",
        "staplekeeper.refreshFraction|half|0.05 to 0.95",
        "staplekeeper.retryInitialBackoff|5|100ms to 1h",
        "staplekeeper.retryInitialBackoff|10ms|100ms to 1h",
        "staplekeeper.coldWait|31s|0ms to 30s",
        "staplekeeper.maxResponseBytes|12|1024 to 10485760",
        "staplekeeper.cacheSize|-1|1 to 1000000",
        "staplekeeper.enabled|yes|`true` or `false`",
        "staplekeeper.responderUri|ldap://x|an http or https URI",
        "staplekeeper.logLevel|LOUD|ERROR, WARN, INFO, DEBUG, TRACE",
      })
  void badValuesAreRejectedWithPropertyNameAndRange(String key, String value, String range) {
    assertThatThrownBy(() -> AgentConfig.from(null, props(key, value), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(key)
        .hasMessageContaining("'" + value + "'")
        .hasMessageContaining(range);
  }

  @Test
  void unknownKeysAreNamed() {
    assertThatThrownBy(
            () ->
                AgentConfig.from(
                    "refreshFractoin=0.5", props("staplekeeper.cachDir", "/x"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("refreshFractoin")
        .hasMessageContaining("staplekeeper.cachDir");
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    try {
      AgentConfig.from(
          "refreshFraction=3,coldWait=forever", props("staplekeeper.cacheSize", "0"), Map.of());
    } catch (ConfigException e) {
      assertThat(e.problems()).hasSize(3);
      return;
    }
    throw new AssertionError("expected a ConfigException");
  }

  @Test
  void inconsistentCombinationsAreRejected() {
    assertThatThrownBy(
            () ->
                AgentConfig.from(
                    "retryInitialBackoff=5m,retryMaxBackoff=1m", new Properties(), Map.of()))
        .hasMessageContaining("retryMaxBackoff")
        .hasMessageContaining("at least retryInitialBackoff");
    assertThatThrownBy(
            () ->
                AgentConfig.from(
                    "refreshFraction=0.1,refreshJitter=0.2", new Properties(), Map.of()))
        .hasMessageContaining("refreshJitter");
    assertThatThrownBy(() -> AgentConfig.from("responderOverride=true", new Properties(), Map.of()))
        .hasMessageContaining("needs responderUri");
  }

  @Test
  void aMisspelledEnvironmentVariableIsNamedLikeAMisspelledProperty() {
    assertThatThrownBy(
            () ->
                AgentConfig.from(
                    null,
                    new Properties(),
                    Map.of(
                        "STAPLEKEEPER_CACHEDIR", "/x", // CACHE_DIR misspelled
                        "STAPLEKEEPER_CACHE_SIZE", "5",
                        "JAVA_HOME", "/usr/lib/jvm/x")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("unknown environment variable STAPLEKEEPER_CACHEDIR")
        .hasMessageContaining("STAPLEKEEPER_CACHE_DIR")
        .hasMessageNotContaining("STAPLEKEEPER_CACHE_SIZE=")
        .hasMessageNotContaining("JAVA_HOME");
  }

  @Test
  void environmentNamesSplitCamelCase() {
    assertThat(ConfigKey.CACHE_DIR.environmentName()).isEqualTo("STAPLEKEEPER_CACHE_DIR");
    assertThat(ConfigKey.RETRY_INITIAL_BACKOFF.environmentName())
        .isEqualTo("STAPLEKEEPER_RETRY_INITIAL_BACKOFF");
  }

  @Test
  void durationsAreFormattedTheWayTheyAreParsed() {
    assertThat(AgentConfig.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
    assertThat(AgentConfig.format(Duration.ofMinutes(10))).isEqualTo("10m");
    assertThat(AgentConfig.format(Duration.ofDays(1))).isEqualTo("1d");
  }
}
