package dev.staplekeeper.agent.instrumentation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NonJsseDetectionTest {
  @Test
  void detectsServerContextsOfNonJsseStacksByName() {
    assertThat(NonJsseDetection.detects("io/netty/handler/ssl/OpenSslServerContext")).isTrue();
    assertThat(
            NonJsseDetection.detects("io/netty/handler/ssl/ReferenceCountedOpenSslServerContext"))
        .isTrue();
    assertThat(
            NonJsseDetection.detects(
                "io/grpc/netty/shaded/io/netty/handler/ssl/ReferenceCountedOpenSslServerContext"))
        .as("gRPC's relocated Netty")
        .isTrue();
    assertThat(NonJsseDetection.detects("org/apache/tomcat/util/net/openssl/OpenSSLContext"))
        .isTrue();
    assertThat(NonJsseDetection.detects("org/apache/tomcat/util/net/openssl/panama/OpenSSLContext"))
        .isTrue();
    assertThat(NonJsseDetection.detects("org/conscrypt/OpenSSLContextImpl")).isTrue();
  }

  @Test
  void leavesClientContextsJsseAndEverythingElseAlone() {
    assertThat(NonJsseDetection.detects("io/netty/handler/ssl/OpenSslClientContext")).isFalse();
    assertThat(
            NonJsseDetection.detects("io/netty/handler/ssl/ReferenceCountedOpenSslClientContext"))
        .isFalse();
    assertThat(NonJsseDetection.detects("io/netty/handler/ssl/JdkSslServerContext")).isFalse();
    assertThat(NonJsseDetection.detects("org/apache/tomcat/util/net/jsse/JSSESSLContext"))
        .isFalse();
    assertThat(NonJsseDetection.detects("sun/security/ssl/SSLContextImpl")).isFalse();
    assertThat(NonJsseDetection.detects(null)).isFalse();
  }
}
