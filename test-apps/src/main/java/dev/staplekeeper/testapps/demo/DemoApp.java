package dev.staplekeeper.testapps.demo;

import dev.staplekeeper.testapps.pki.TestPki;
import dev.staplekeeper.testapps.process.ChildJvm;
import dev.staplekeeper.testapps.server.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The app the demo runs twice and how it is started as a child JVM: a test-apps server command
 * ({@code jetty}, {@code tomcat}, {@code jsse-server}) with {@code --exit-on-stdin-eof}, ready at
 * its READY line; or the Spring Boot fat jar of the spring-boot-app module ({@code java -jar}, its
 * embedded Tomcat, TLS from Spring Boot's own {@code server.ssl.*} properties), ready when Spring
 * Boot logs the port it listens on. Either way the server stops when the demo's pipe to its stdin
 * closes.
 *
 * @param option the {@code --server} value
 * @param kind the test-apps server, or null for Spring Boot
 * @param springBootJar the fat jar, for Spring Boot only
 */
public record DemoApp(String option, TestServer.Kind kind, Path springBootJar) {
  /** The {@code --server} value of the Spring Boot app. */
  public static final String SPRING_BOOT = "spring-boot";

  /** Where a build of this repository puts the Spring Boot fat jar. */
  public static final Path SPRING_BOOT_JAR =
      Path.of("spring-boot-app", "target", "staplekeeper-spring-boot-app.jar");

  /** What Spring Boot logs once its embedded Tomcat accepts connections. */
  private static final Pattern SPRING_BOOT_STARTED =
      Pattern.compile("Tomcat started on port (?<port>\\d+)");

  public DemoApp {
    Objects.requireNonNull(option);
    if ((kind == null) == (springBootJar == null)) {
      throw new IllegalArgumentException("a test-apps server or a Spring Boot jar, not both");
    }
  }

  /** A test-apps server command. */
  public static DemoApp testApps(TestServer.Kind kind) {
    return new DemoApp(kind.command(), kind, null);
  }

  /** The Spring Boot fat jar at {@code jar}. */
  public static DemoApp springBoot(Path jar) {
    return new DemoApp(SPRING_BOOT, null, jar);
  }

  /**
   * Parses {@code --server}: {@code jetty}, {@code tomcat}, {@code jsse-server} or {@code
   * spring-boot} (which runs {@code springBootJar}).
   *
   * @throws IllegalArgumentException naming the accepted values
   */
  public static DemoApp parse(String option, Path springBootJar) {
    if (SPRING_BOOT.equals(option.toLowerCase(Locale.ROOT))) {
      return springBoot(springBootJar);
    }
    try {
      return testApps(TestServer.Kind.parse(option));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown server '" + option + "' (use jetty, tomcat, jsse-server or spring-boot)");
    }
  }

  public boolean springBoot() {
    return kind == null;
  }

  /** The name in the demo's headings, e.g. "Jetty 12". */
  public String displayName() {
    if (springBoot()) {
      return "Spring Boot (embedded Tomcat)";
    }
    return switch (kind) {
      case JETTY -> "Jetty 12";
      case TOMCAT -> "Tomcat";
      case JSSE -> "plain JSSE";
    };
  }

  /** How long the server may take to start on a loaded machine. */
  Duration startTimeout() {
    return springBoot() ? Duration.ofMinutes(3) : Duration.ofSeconds(90);
  }

  /**
   * The server's start, after the JVM options: {@code classpath} holds the test apps (for the
   * test-apps commands), {@code keystore} the PKI's server.p12.
   */
  ChildJvm.Builder configure(ChildJvm.Builder jvm, String classpath, Path keystore) {
    if (springBoot()) {
      return jvm.jar(springBootJar, springBootArguments(keystore.toString()))
          .readyLine(SPRING_BOOT_STARTED);
    }
    return jvm.main(
        classpath,
        ChildJvm.TEST_APPS_MAIN,
        List.of(
            kind.command(),
            "--keystore",
            keystore.toString(),
            "--port",
            "0",
            "--exit-on-stdin-eof"));
  }

  /** The start as the demo prints it: the lines after the JVM options. */
  List<String> shownCommand() {
    if (springBoot()) {
      List<String> args = springBootArguments("<pki>/server.p12");
      return List.of(
          "-jar " + springBootJar,
          String.join(" ", args.subList(0, 2)),
          String.join(" ", args.subList(2, 4)),
          String.join(" ", args.subList(4, args.size())));
    }
    return List.of(
        "-cp <this jar> " + ChildJvm.TEST_APPS_MAIN + " " + kind.command(),
        "--keystore <pki>/server.p12 --port 0 --exit-on-stdin-eof");
  }

  private static List<String> springBootArguments(String keystore) {
    return List.of(
        "--server.port=0",
        "--server.ssl.key-store=" + keystore,
        "--server.ssl.key-store-password=" + TestPki.PASSWORD,
        "--server.ssl.key-store-type=PKCS12",
        "--server.ssl.key-alias=server",
        "--app.exit-on-stdin-eof=true");
  }
}
