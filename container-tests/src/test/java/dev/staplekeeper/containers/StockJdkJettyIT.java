package dev.staplekeeper.containers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.staplekeeper.testapps.process.ChildJvm;
import dev.staplekeeper.testapps.responder.FaultMode;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * The control: the same Jetty and outage without the agent, only the JDK's own stapling. It shows
 * that the clients and parsers of this harness do see a lost staple, so the agent tests passing
 * means something.
 */
class StockJdkJettyIT extends ContainerStaplingIT {
  @Override
  String name() {
    return "jetty-jdk17-stock";
  }

  @Override
  int jdkFeature() {
    return 17;
  }

  @Override
  ChildJvm start(ServerSetup setup) throws IOException, InterruptedException {
    return JettyServer.start(setup);
  }

  @Override
  boolean withAgent() {
    return false;
  }

  @Override
  List<String> jvmOptions() {
    return List.of(
        "-Djdk.tls.server.enableStatusRequestExtension=true", "-Djdk.tls.stapling.cacheLifetime=2");
  }

  @Override
  @Test
  @Order(4)
  @DisplayName("without the agent the JDK loses its staple 2 s into an outage")
  void keepsTheSameGoodStapleThroughAResponderOutage() throws Exception {
    assertGood(openssl("-tls1_3"));
    responder.mode(FaultMode.UNAUTHORIZED);
    try {
      Thread.sleep(Duration.ofSeconds(3).toMillis()); // past the 2 s JDK cache lifetime
      Observation during = openssl("-tls1_3");
      assertThat(during.handshakeOk()).as("%s", during).isTrue();
      assertThat(during.goodStaple(Instant.now()))
          .as("the stock JDK drops its staple when the responder fails: %s", during)
          .isFalse();
    } finally {
      responder.mode(FaultMode.HEALTHY);
    }
  }

  @Override
  @Test
  @Order(5)
  @DisplayName("without the agent a restart during an outage comes up without a staple")
  void restartDuringAnOutageStaplesTheStoredResponse() throws Exception {
    assertGood(openssl("-tls1_3"));
    responder.mode(FaultMode.DOWN);
    try {
      server = server.restart();
      Observation first = openssl("-tls1_3");
      assertThat(first.handshakeOk()).as("%s", first).isTrue();
      assertThat(first.stapled()).as("the stock JDK has nothing to staple: %s", first).isFalse();
    } finally {
      responder.mode(FaultMode.HEALTHY);
    }
  }
}
