package dev.staplekeeper.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.staplekeeper.agent.log.CapturedLog;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class NonJsseWarningsTest {
  @Test
  void aWarningNamesTheStackAndTheFix() {
    List<LogRecord> records;
    try (CapturedLog log = new CapturedLog(Level.INFO)) {
      NonJsseWarnings warnings = new NonJsseWarnings();
      warnings.stackFound("io.netty.handler.ssl.OpenSslServerContext");
      warnings.stackFound("org.apache.tomcat.util.net.openssl.panama.OpenSSLContext");
      records = log.records();
    }

    assertThat(records).hasSize(2).allMatch(r -> r.getLevel() == Level.WARNING);
    assertThat(records.get(0).getMessage())
        .contains("cannot staple for the TLS server contexts of")
        .contains("Netty SslContext with the OpenSSL provider")
        .contains("SslProvider.JDK");
    assertThat(records.get(1).getMessage())
        .contains("Tomcat's OpenSSL implementation through FFM")
        .contains("org.apache.tomcat.util.net.jsse.JSSEImplementation");
  }

  @Test
  void conscryptAdviceNamesSunJsse() {
    assertThat(NonJsseWarnings.advice("org.conscrypt.OpenSSLContextImpl")).contains("SunJSSE");
    assertThat(NonJsseWarnings.stack("org.apache.tomcat.util.net.openssl.OpenSSLContext"))
        .contains("tomcat-native");
  }
}
