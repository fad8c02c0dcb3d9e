package dev.staplekeeper.testapps.cli;

import dev.staplekeeper.testapps.demo.DemoApp;
import dev.staplekeeper.testapps.demo.OutageDemo;
import dev.staplekeeper.testapps.demo.Scenario;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/** {@code demo [--agent JAR | --no-agent] [--quick] ...}: the outage demo that demo.sh runs. */
public final class DemoCommand implements Command {
  @Override
  public String name() {
    return "demo";
  }

  @Override
  public String summary() {
    return "the outage demo: the same server with and without the agent while OCSP fails";
  }

  @Override
  public String help() {
    return """
        usage: demo [--agent JAR | --no-agent] [--quick]
                    [--server jetty|tomcat|jsse-server|spring-boot] [--spring-boot-jar JAR]
                    [--java PATH] [--work DIR] [--color]

        Starts an OCSP responder and two HTTPS servers (the same app, one with -javaagent:JAR, one
        on the stock JDK), drives a responder outage and prints second by second which server
        staples, then a summary, and writes the timeline as an SVG picture (WORK/timeline.svg,
        its path printed at the end). Stops every process it started, also on Ctrl-C.

          --agent JAR    the StapleKeeper agent jar (default agent/target/staplekeeper-agent.jar)
          --no-agent     both servers on the stock JDK (tests the demo itself)
          --quick        21 s of phases instead of 100 s
          --server S     jetty (default), tomcat, jsse-server, or spring-boot: the Spring Boot
                         fat jar of the spring-boot-app module (embedded Tomcat, TLS from
                         server.ssl.* properties)
          --spring-boot-jar JAR
                         the Spring Boot fat jar (default
                         spring-boot-app/target/staplekeeper-spring-boot-app.jar)
          --java PATH    java executable for the servers (default: the one running the demo)
          --work DIR     where PKIs and server logs go (default: a new temporary directory)
          --color        ANSI colours
        """;
  }

  @Override
  public int run(String[] args) throws Exception {
    OutageDemo demo = new OutageDemo(config(args), System.out);
    try {
      demo.run();
      return 0;
    } catch (Exception e) {
      if (demo.interrupted()) {
        return 0; // Ctrl-C / SIGTERM: the shutdown hook has reported and stopped everything
      }
      System.out.flush();
      System.err.println("demo failed: " + e.getMessage());
      return 1;
    }
  }

  /** Parses the command line into the demo's settings. */
  static OutageDemo.Config config(String[] args) {
    Options o =
        Options.parse(
            "demo",
            args,
            Set.of("agent", "server", "spring-boot-jar", "java", "work"),
            Set.of("no-agent", "quick", "color"));
    if (!o.positional().isEmpty()) {
      throw new UsageException("unexpected argument '" + o.positional().get(0) + "'");
    }
    if (o.has("agent") && o.flag("no-agent")) {
      throw new UsageException("--agent and --no-agent exclude each other");
    }
    Path agent = null;
    if (!o.flag("no-agent")) {
      agent = Path.of(o.string("agent", "agent/target/staplekeeper-agent.jar")).toAbsolutePath();
      if (!Files.isRegularFile(agent)) {
        throw new UsageException(
            "no agent jar at " + agent + " (build it: mvn -DskipTests package)");
      }
    }
    DemoApp app;
    try {
      app =
          DemoApp.parse(
              o.string("server", "jetty"),
              Path.of(o.string("spring-boot-jar", DemoApp.SPRING_BOOT_JAR.toString()))
                  .toAbsolutePath());
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    if (app.springBoot() && !Files.isRegularFile(app.springBootJar())) {
      throw new UsageException(
          "no Spring Boot jar at "
              + app.springBootJar()
              + " (build it: mvn -DskipTests -pl spring-boot-app -am package)");
    }
    String java =
        o.string("java", Path.of(System.getProperty("java.home"), "bin", "java").toString());
    Path work = o.has("work") ? o.path("work").toAbsolutePath() : null;
    return new OutageDemo.Config(
        agent,
        o.flag("quick") ? Scenario.quick() : Scenario.full(),
        app,
        java,
        work,
        o.flag("color"));
  }
}
