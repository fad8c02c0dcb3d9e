package dev.staplekeeper.agent.instrumentation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.staplekeeper.agent.staple.Scheduler;
import java.security.Provider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NonJsseDetectionTest {
  @Test
  void detectsServerContextsOfNonJsseStacksByName() {
    assertThat(NonJsseDetection.detects("io.netty.handler.ssl.OpenSslServerContext")).isTrue();
    assertThat(
            NonJsseDetection.detects("io.netty.handler.ssl.ReferenceCountedOpenSslServerContext"))
        .isTrue();
    assertThat(
            NonJsseDetection.detects(
                "io.grpc.netty.shaded.io.netty.handler.ssl.ReferenceCountedOpenSslServerContext"))
        .as("gRPC's relocated Netty")
        .isTrue();
    assertThat(NonJsseDetection.detects("org.apache.tomcat.util.net.openssl.OpenSSLContext"))
        .isTrue();
    assertThat(NonJsseDetection.detects("org.apache.tomcat.util.net.openssl.panama.OpenSSLContext"))
        .isTrue();
  }

  @Test
  void leavesClientContextsJsseAndEverythingElseAlone() {
    assertThat(NonJsseDetection.detects("io.netty.handler.ssl.OpenSslClientContext")).isFalse();
    assertThat(
            NonJsseDetection.detects("io.netty.handler.ssl.ReferenceCountedOpenSslClientContext"))
        .isFalse();
    assertThat(NonJsseDetection.detects("io.netty.handler.ssl.JdkSslServerContext")).isFalse();
    assertThat(NonJsseDetection.detects("org.apache.tomcat.util.net.jsse.JSSESSLContext"))
        .isFalse();
    assertThat(NonJsseDetection.detects("sun.security.ssl.SSLContextImpl")).isFalse();
    assertThat(NonJsseDetection.detects(null)).isFalse();
  }

  @Test
  void eachStackIsReportedOnceWhateverItsClassesAndScans() {
    List<String> reported = new ArrayList<>();
    NonJsseDetection detection = new NonJsseDetection(reported::add);
    detection.scan(List.of("java.lang.String", "io.netty.handler.ssl.OpenSslClientContext"));
    assertThat(reported).isEmpty();

    // Netty's class alone (the verifier loads it for code that could build one): not yet
    detection.scan(List.of("io.netty.handler.ssl.OpenSslServerContext"));
    assertThat(reported).isEmpty();

    List<String> loaded =
        List.of(
            "io.netty.handler.ssl.ReferenceCountedOpenSslServerContext",
            "io.netty.handler.ssl.OpenSslServerContext",
            "io.netty.internal.tcnative.SSLContext",
            "io.grpc.netty.shaded.io.netty.handler.ssl.ReferenceCountedOpenSslServerContext",
            "io.grpc.netty.shaded.io.netty.internal.tcnative.SSLContext",
            "org.apache.tomcat.util.net.openssl.OpenSSLContext");
    detection.scan(loaded);
    detection.scan(loaded);

    assertThat(reported)
        .containsExactly(
            "io.grpc.netty.shaded.io.netty.handler.ssl.ReferenceCountedOpenSslServerContext",
            "io.netty.handler.ssl.OpenSslServerContext",
            "org.apache.tomcat.util.net.openssl.OpenSSLContext");
  }

  @Test
  void theFirstScanComesOneIntervalAfterTheStartNotAtOnce() {
    List<Duration> delays = new ArrayList<>();
    Scheduler recording =
        new Scheduler() {
          @Override
          public Task schedule(Runnable task, Duration delay) {
            delays.add(delay);
            return () -> {};
          }

          @Override
          public void shutdown() {}
        };

    new NonJsseDetection(name -> {}).startScanning(null, recording);

    assertThat(delays).containsExactly(NonJsseDetection.EARLY_INTERVAL);
  }

  @Test
  void theProviderListIsReadOnlyWhenAConscryptClassIsLoaded() {
    assertThat(
            NonJsseDetection.conscryptLoaded(
                List.of("java.lang.String", "org.conscrypt.OpenSSLProvider")))
        .isTrue();
    assertThat(
            NonJsseDetection.conscryptLoaded(
                List.of("java.lang.String", "io.netty.handler.ssl.SslContext")))
        .isFalse();
  }

  @Test
  void conscryptCountsOnlyAsTheFirstTlsProvider() {
    Provider sun = new Provider("SunJSSE", "1", "") {};
    assertThat(NonJsseDetection.conscryptFirst(new Provider[] {sun})).isFalse();
    assertThat(NonJsseDetection.conscryptFirst(new Provider[0])).isFalse();
    assertThat(NonJsseDetection.conscryptFirst(null)).isFalse();
  }
}
