package dev.staplekeeper.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.staplekeeper.testapps.process.ChildJvm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The agent leaves java.util.logging alone until the application's first {@code SSLContext}: an
 * application that picks its own {@code LogManager} in {@code main}, after the agent's background
 * start has run, still gets it, and the agent's start line, with what it said during the start
 * (here: creating its store directory), then goes through it. (Setting up java.util.logging any
 * earlier fixes the JDK's default LogManager for good.)
 */
class ApplicationLoggingIT {
  static Stream<Path> jdks() {
    return ForkedServer.jdks().stream();
  }

  @ParameterizedTest
  @MethodSource("jdks")
  void anApplicationChoosesItsLogManagerAfterTheAgentStarted(Path jdk, @TempDir Path cacheDir)
      throws Exception {
    try (ChildJvm app =
        ChildJvm.java(jdk)
            .name("late-logging-" + ForkedServer.jdkName(jdk))
            .javaagent(ForkedServer.agentJar())
            // a store directory to create: the agent has something to say during its start
            .property("staplekeeper.cacheDir", cacheDir.resolve("store").toString())
            .main(
                // its own class only: the test class path holds the agent's unshaded classes
                Path.of(
                        LateLoggingApp.class
                            .getProtectionDomain()
                            .getCodeSource()
                            .getLocation()
                            .toURI())
                    .toString(),
                LateLoggingApp.class.getName(),
                List.of("5000"))
            .log(Path.of("target/it-logs/late-logging-" + ForkedServer.jdkName(jdk) + ".log"))
            .launch()) {
      assertThat(app.awaitOutput("READY", Duration.ofSeconds(40))).as(app.tail()).isTrue();
      assertThat(app.awaitOutput(" active on Java ", Duration.ofSeconds(10)))
          .as("the start line, logged after the first SSLContext: %s", app.tail())
          .isTrue();

      String out = app.output();
      assertThat(out)
          .doesNotContain("NO-AGENT-THREAD")
          .contains("MANAGER=" + LateLoggingApp.AppLogManager.class.getName());
      // what the agent said during its start comes out with the start line, not lost
      assertThat(out.indexOf("StapleKeeper created response store directory"))
          .isGreaterThan(out.indexOf("MANAGER="));
    }
  }
}
