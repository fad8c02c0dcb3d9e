package dev.staplekeeper.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.Proxy;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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
