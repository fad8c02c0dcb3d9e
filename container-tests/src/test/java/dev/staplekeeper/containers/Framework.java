package dev.staplekeeper.containers;

import dev.staplekeeper.testapps.process.ChildJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The servers of real Java frameworks, each started as its own JVM with {@code java -javaagent:...
 * -jar app.jar} and TLS configured the framework's own way: the Spring Boot 3.5 fat jar of the
 * spring-boot-app module ({@code server.ssl.*} keystore properties or a PEM SSL bundle) on each of
 * its embedded servers, and the plain Netty server of the test-apps jar. All process starts of
 * {@link FrameworkStaplingIT} are here.
 */
enum Framework {
  SPRING_BOOT_TOMCAT("spring-boot-tomcat", "Tomcat started on port"),
  SPRING_BOOT_JETTY("spring-boot-jetty", "Jetty started on port"),
  SPRING_BOOT_UNDERTOW("spring-boot-undertow", "Undertow started on port"),
  SPRING_WEBFLUX_NETTY("spring-webflux-netty", "Netty started on port"),
  NETTY_JDK("netty-jdk", "READY port="),
  /** Netty's OpenSSL provider: not JSSE, so the agent cannot staple and must say so. */
  NETTY_OPENSSL("netty-openssl", "READY port=");

  /**
   * Spring Boot starts in seconds; on a loaded 2-core build machine, with several servers starting
   * at once, a minute and more.
   */
  private static final Duration START_TIMEOUT = Duration.ofMinutes(5);

  /**
   * Harness only, nothing StapleKeeper needs: the client JIT and one GC thread, so that six JVMs
   * starting at once on two cores take less CPU. Handshake times stay far below the limits.
   */
  private static final List<String> START_FASTER =
      List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

  private final String label;
  private final String readyText;

  Framework(String label, String readyText) {
    this.label = label;
    this.readyText = readyText;
  }

  String label() {
    return label;
  }

  /** What the server logs once it listens, naming the web server that runs. */
  String readyText() {
    return readyText;
  }

  /** The Spring Boot fat jar (spring-boot-maven-plugin repackage) of this build. */
  static Path springBootJar() {
    return Path.of(System.getProperty("staplekeeper.springboot.jar", ""));
  }

  ChildJvm start(ServerSetup setup) throws IOException, InterruptedException {
    Path dir = setup.workDir().resolve(setup.name());
    Files.createDirectories(dir);
    List<String> command = new ArrayList<>();
    command.add(setup.jdk().resolve("bin/java").toString());
    command.addAll(setup.jvmOptions());
    command.addAll(START_FASTER);
    command.add("-jar");
    command.addAll(appArguments(setup));
    return ChildJvm.command(command)
        .name(label + " " + setup.name())
        .workDir(dir)
        .env(Map.of("JAVA_TOOL_OPTIONS", "", "JDK_JAVA_OPTIONS", ""))
        .log(dir.resolve("server.log"))
        .readyWhen(readyText, setup.port())
        .startTimeout(START_TIMEOUT)
        .start();
  }

  /** The jar and its arguments: the framework's own TLS configuration of the test PKI. */
  private List<String> appArguments(ServerSetup setup) {
    Path pki = setup.keystore().getParent();
    List<String> keystore =
        List.of(
            "--server.ssl.key-store=" + setup.keystore(),
            "--server.ssl.key-store-password=" + setup.keystorePassword(),
            "--server.ssl.key-store-type=PKCS12",
            "--server.ssl.key-alias=" + setup.keyAlias());
    List<String> pemBundle =
        List.of(
            "--spring.ssl.bundle.pem.server.keystore.certificate=file:" + pki.resolve("chain.pem"),
            "--spring.ssl.bundle.pem.server.keystore.private-key=file:"
                + pki.resolve("server-key.pem"),
            "--server.ssl.bundle=server");
    List<String> args = new ArrayList<>();
    switch (this) {
      case SPRING_BOOT_TOMCAT -> args.addAll(keystore);
      case SPRING_BOOT_JETTY -> {
        args.add("--app.server=jetty");
        args.addAll(keystore);
      }
      case SPRING_BOOT_UNDERTOW -> {
        args.add("--app.server=undertow");
        args.addAll(pemBundle);
      }
      case SPRING_WEBFLUX_NETTY -> {
        args.add("--app.server=netty");
        args.add("--spring.main.web-application-type=reactive");
        args.addAll(pemBundle);
      }
      case NETTY_JDK, NETTY_OPENSSL -> {
        return List.of(
            JdkClient.cliJar().toString(),
            "netty",
            "--keystore",
            setup.keystore().toString(),
            "--password",
            setup.keystorePassword(),
            "--port",
            String.valueOf(setup.port()),
            "--provider",
            this == NETTY_JDK ? "jdk" : "openssl");
      }
    }
    List<String> all = new ArrayList<>();
    all.add(springBootJar().toString());
    all.add("--server.port=" + setup.port());
    all.addAll(args);
    return all;
  }
}
