package dev.staplekeeper.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NonJsseWarningsTest {
  private final List<LogRecord> records = new ArrayList<>();
  private final Logger jul = Logger.getLogger(StapleKeeperAgent.class.getName());
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          synchronized (records) {
            records.add(record);
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeEach
  void capture() {
    jul.addHandler(capture);
  }

  @AfterEach
  void release() {
    jul.removeHandler(capture);
  }

  @Test
  void aWarningNamesTheStackAndTheFix() {
    NonJsseWarnings warnings = new NonJsseWarnings();
    warnings.stackFound("io.netty.handler.ssl.OpenSslServerContext");
    warnings.stackFound("org.apache.tomcat.util.net.openssl.panama.OpenSSLContext");

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
