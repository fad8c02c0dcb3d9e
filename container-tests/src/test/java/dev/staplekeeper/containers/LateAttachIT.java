package dev.staplekeeper.containers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.staplekeeper.testapps.checker.StapleChecker;
import dev.staplekeeper.testapps.pki.TestPki;
import dev.staplekeeper.testapps.process.ChildJvm;
import dev.staplekeeper.testapps.responder.OcspResponder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A server distribution started with neither StapleKeeper nor {@code
 * jdk.tls.server.enableStatusRequestExtension}, then {@code java -jar staplekeeper-agent.jar attach
 * <pid>}: the next handshake is stapled, and a keep-alive connection opened before the attach keeps
 * working.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class LateAttachIT {
  OcspResponder responder;
  TestPki pki;
  Path work;

  abstract String name();

  abstract ChildJvm start(ServerSetup setup) throws IOException, InterruptedException;

  @BeforeAll
  void startResponder() throws Exception {
    work = Path.of(System.getProperty("staplekeeper.it.work", "target/it-work")).resolve(name());
    Files.createDirectories(work);
    responder = OcspResponder.bind(0);
    pki = TestPki.create(work.resolve("pki"), responder.url(), false);
    responder.start(pki, Duration.ofMinutes(2));
  }

  @AfterAll
  void stopResponder() {
    if (responder != null) {
      responder.close();
    }
  }

  @ParameterizedTest(name = "JDK {0}")
  @ValueSource(ints = {17, 25})
  void attachStaplesTheRunningServerFromTheNextHandshake(int feature) throws Exception {
    Path jdk = Jdks.jdk(feature);
    Path rootPem = pki.dir().resolve("root.pem");
    try (ChildJvm server =
        start(
            new ServerSetup(
                "jdk" + feature,
                jdk,
                Ports.free(),
                pki.keystore(),
                TestPki.PASSWORD,
                "server",
                List.of(),
                work))) {
      Observation stock = OpenSslClient.handshake(server.port(), rootPem, "-tls1_3");
      assertThat(stock.handshakeOk()).as("%s", stock).isTrue();
      assertThat(stock.stapled()).as("no stapling property: %s", stock).isFalse();

      try (SSLSocket keepAlive = connect(server.port())) {
        assertThat(head(keepAlive)).startsWith("HTTP/1.1 ");

        Command.Result attach =
            Command.run(
                List.of(
                    jdk.resolve("bin/java").toString(),
                    "-jar",
                    Agent.jar().toString(),
                    "attach",
                    String.valueOf(server.jvmPid()),
                    // the first handshake after attach waits for the first fetch: room for a cold
                    // JDK 17 on a loaded machine (1 s, the default, was seen to be too short)
                    "coldWait=5s"),
                Duration.ofSeconds(90));
        assertThat(attach.exitCode()).as("%s", attach).isZero();
        assertThat(attach.output()).contains(" active on Java ").contains("SSLContextImpl");

        assertThat(head(keepAlive))
            .as("the connection made before the attach")
            .startsWith("HTTP/1.1 ");
      }
      for (String tls : List.of("-tls1_3", "-tls1_2")) {
        Observation after = OpenSslClient.handshake(server.port(), rootPem, tls);
        assertThat(after.goodStaple(Instant.now())).as("%s", after).isTrue();
      }
    }
  }

  private SSLSocket connect(int port) throws IOException {
    SSLSocket s =
        (SSLSocket)
            StapleChecker.clientContext(pki.root())
                .getSocketFactory()
                .createSocket("127.0.0.1", port);
    s.setSoTimeout(20_000);
    s.startHandshake();
    return s;
  }

  /** One HEAD request on a keep-alive connection; returns the status line. */
  private static String head(SSLSocket s) throws IOException {
    OutputStream out = s.getOutputStream();
    out.write("HEAD / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    out.flush();
    InputStream in = s.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed after: " + head);
      }
      head.append((char) b);
    }
    return head.substring(0, head.indexOf("\r\n"));
  }
}
