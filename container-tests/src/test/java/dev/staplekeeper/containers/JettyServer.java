package dev.staplekeeper.containers;

import dev.staplekeeper.testapps.process.ChildJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Starts the real Eclipse Jetty distribution ({@code org.eclipse.jetty:jetty-home} tar.gz) with
 * {@code java -jar $JETTY_HOME/start.jar} in a JETTY_BASE made by {@code --add-modules=https,ssl}.
 *
 * <p>JVM options go into {@code start.d/staplekeeper.ini} after {@code --exec}, exactly as
 * docs/operations.md tells users to add the agent; start.jar then forks the server JVM with them.
 */
final class JettyServer {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(180);

  private JettyServer() {}

  static Path home() {
    return Path.of(System.getProperty("staplekeeper.it.jetty.home"));
  }

  static ChildJvm start(ServerSetup setup) throws IOException, InterruptedException {
    return start(setup, List.of(), "");
  }

  /**
   * Like {@link #start(ServerSetup)} with more modules (e.g. {@code ssl-reload}) and more {@code
   * start.d/ssl.ini} lines; a null key alias lets Jetty choose among all keystore entries by SNI.
   */
  static ChildJvm start(ServerSetup setup, List<String> modules, String moreSslProperties)
      throws IOException, InterruptedException {
    Path home = home();
    Path base = setup.workDir().resolve(setup.name());
    Files.createDirectories(base);
    Path java = setup.jdk().resolve("bin/java");
    Map<String, String> env =
        Map.of(
            "JETTY_HOME", home.toString(),
            "JETTY_BASE", base.toString(),
            "JAVA_HOME", setup.jdk().toString(),
            "JAVA_OPTIONS", "",
            "JAVA_TOOL_OPTIONS", "");

    addModules(java, home, base, env, modules);
    Files.writeString(
        base.resolve("start.d/ssl.ini"),
        sslProperties(setup) + moreSslProperties,
        StandardOpenOption.APPEND,
        StandardOpenOption.CREATE);
    Files.writeString(base.resolve("start.d/staplekeeper.ini"), ini(setup.jvmOptions()));

    return ChildJvm.command(List.of(java.toString(), "-jar", home.resolve("start.jar").toString()))
        .name("Jetty " + setup.name())
        .workDir(base)
        .env(env)
        .log(base.resolve("jetty.log"))
        .readyWhen(":oejs.Server:main: Started oejs.Server@", setup.port())
        .startTimeout(START_TIMEOUT)
        .start();
  }

  private static void addModules(
      Path java, Path home, Path base, Map<String, String> env, List<String> modules)
      throws IOException, InterruptedException {
    Path log = base.resolve("add-modules.log");
    ProcessBuilder builder =
        new ProcessBuilder(
                java.toString(),
                "-jar",
                home.resolve("start.jar").toString(),
                "--add-modules=" + String.join(",", concat(List.of("https", "ssl"), modules)))
            .directory(base.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    env.forEach((key, value) -> builder.environment().put(key, value));
    builder.environment().remove("JAVA_OPTIONS");
    builder.environment().remove("JAVA_TOOL_OPTIONS");
    Process process = builder.start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IOException("start.jar --add-modules did not finish; see " + log);
    }
    if (process.exitValue() != 0) {
      throw new IOException(
          "start.jar --add-modules failed with "
              + process.exitValue()
              + ":\n"
              + Files.readString(log));
    }
  }

  /** {@code --exec} and one JVM option per line: the start.d form docs/operations.md shows. */
  static String ini(List<String> jvmOptions) {
    StringBuilder sb = new StringBuilder("# Written by the StapleKeeper container tests\n--exec\n");
    jvmOptions.forEach(option -> sb.append(option).append('\n'));
    return sb.toString();
  }

  private static String sslProperties(ServerSetup setup) {
    return """

        # StapleKeeper container tests
        jetty.ssl.host=127.0.0.1
        jetty.ssl.port=%d
        jetty.sslContext.keyStorePath=%s
        jetty.sslContext.keyStorePassword=%s
        jetty.sslContext.keyStoreType=PKCS12
        """
            .formatted(setup.port(), setup.keystore(), setup.keystorePassword())
        + (setup.keyAlias() == null ? "" : "jetty.sslContext.alias=" + setup.keyAlias() + "\n");
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new java.util.ArrayList<>(a);
    out.addAll(b);
    return out;
  }
}
