package dev.staplekeeper.containers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.staplekeeper.testapps.demo.DemoApp;
import dev.staplekeeper.testapps.demo.OutageDemo;
import dev.staplekeeper.testapps.demo.Result;
import dev.staplekeeper.testapps.demo.Scenario;
import dev.staplekeeper.testapps.demo.TimelinePicture;
import dev.staplekeeper.testapps.server.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's demo (quick scenario) with the agent jar this build produced, on the test-apps Jetty
 * and on the Spring Boot fat jar: the agent's server staples through every phase while the stock
 * one loses the staple, the timeline picture shows both, and every process stops.
 */
class DemoIT {
  @TempDir Path work;

  @Test
  @Timeout(180)
  void theDemoShowsTheAgentStaplingThroughTheOutageAndTheStockJdkNot() throws Exception {
    runAndCheck(DemoApp.testApps(TestServer.Kind.JETTY));
  }

  @Test
  @Timeout(420)
  void theDemoRunsOnTheSpringBootApp() throws Exception {
    String output = runAndCheck(DemoApp.springBoot(Framework.springBootJar()));
    assertThat(output)
        .contains("Spring Boot (embedded Tomcat) with the StapleKeeper agent")
        .contains("-jar " + Framework.springBootJar());
  }

  private String runAndCheck(DemoApp app) throws Exception {
    Path agentJar = Agent.jar();
    System.setProperty(
        "staplekeeper.demo.classpath", System.getProperty("staplekeeper.testapps.jar"));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    OutageDemo demo =
        new OutageDemo(
            new OutageDemo.Config(agentJar, Scenario.quick(), app, java, work, false), out);
    Result r = demo.run();
    String output = bytes.toString(StandardCharsets.UTF_8);
    System.out.println(output);

    assertThat(r.complete()).isTrue();
    assertThat(output).contains("agent log: INFO StapleKeeper 0.1.0", "active on Java");
    for (int p = 0; p < r.scenario().phases().size(); p++) {
      Result.Stats agent = r.stats(0, p);
      assertThat(agent.handshakes()).isPositive();
      assertThat(agent.valid())
          .as("agent stapled in phase %d", p + 1)
          .isEqualTo(agent.handshakes());
      assertThat(agent.maxMillis()).as("no handshake waits for the responder").isLessThan(3_000);
    }
    assertThat(r.faultStats(0).ocspRequests()).isLessThanOrEqualTo(3);
    assertThat(r.faultStats(1).valid()).isLessThan(r.faultStats(1).handshakes());
    assertThat(r.stats(1, 3).maxMillis()).isGreaterThanOrEqualTo(4_000);

    TimelinePicture.Content picture = TimelinePicture.read(demo.timelinePicture());
    assertThat(picture.rows())
        .extracting(TimelinePicture.Row::label)
        .containsExactly("WITH AGENT", "STOCK JDK");
    TimelinePicture.Row agent = picture.rows().get(0);
    TimelinePicture.Row stock = picture.rows().get(1);
    assertThat(agent.states()).hasSize(21).doesNotContain("none", "bad", "failed");
    assertThat(agent.latencyMillis()).hasSize(r.samples().get(0).size()).allMatch(ms -> ms < 3_000);
    assertThat(stock.states()).hasSize(21).contains("valid", "none");
    assertThat(stock.latencyMillis()).anyMatch(ms -> ms >= 4_000);

    for (long pid : demo.childPids()) {
      ProcessHandle.of(pid).ifPresent(h -> h.onExit().join());
    }
    return output;
  }
}
