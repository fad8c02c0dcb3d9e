package dev.staplekeeper.agent.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real JSSE TLS server in its own JVM (the test-apps {@code jsse-server}, which has no stapling
 * code), started with the packaged {@code -javaagent} jar or without it. Its output is kept for
 * assertions and written to {@code target/it-logs}.
 */
final class ServerProcess implements AutoCloseable {
  private static final Pattern READY = Pattern.compile("READY port=(\\d+)");

  final Process process;
  final int port;
  final String name;
  private final List<String> output;

  private ServerProcess(String name, Process process, int port, List<String> output) {
    this.name = name;
    this.process = process;
    this.port = port;
    this.output = output;
  }

  /** Paths the failsafe configuration passes in; a missing one fails the test run loudly. */
  static Path agentJar() {
    return requiredFile("staplekeeper.agent.jar");
  }

  static Path testAppsJar() {
    return requiredFile("staplekeeper.testapps.jar");
  }

  private static Path requiredFile(String property) {
    String value = System.getProperty(property);
    if (value == null || !Files.isRegularFile(Path.of(value))) {
      throw new IllegalStateException(
          "system property "
              + property
              + " must name a built jar (run through mvn verify): "
              + value);
    }
    return Path.of(value);
  }

  /** The JDK homes to test on (JDK 17 and 25 by default); a missing one is an error, not a skip. */
  static List<Path> jdks() {
    String list =
        System.getProperty(
            "staplekeeper.it.jdks",
            "/usr/lib/jvm/java-17-openjdk-amd64,/usr/lib/jvm/temurin-25-jdk-amd64");
    List<Path> out = new ArrayList<>();
    for (String s : list.split(",")) {
      Path home = Path.of(s.trim());
      if (!Files.isExecutable(home.resolve("bin/java"))) {
        throw new IllegalStateException("JDK for the integration tests not found: " + home);
      }
      out.add(home);
    }
    return out;
  }

  static String jdkName(Path home) {
    return home.getFileName().toString();
  }

  /**
   * Starts {@code jsse-server} on JDK {@code javaHome} with {@code jvmArgs} (e.g. the agent and its
   * settings) and waits for it to listen.
   */
  static ServerProcess start(String name, Path javaHome, Path pkiDir, List<String> jvmArgs)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(javaHome.resolve("bin/java").toString());
    cmd.add("-Xshare:auto");
    cmd.addAll(jvmArgs);
    cmd.add("-cp");
    cmd.add(testAppsJar().toString());
    cmd.add("dev.staplekeeper.testapps.Main");
    cmd.add("jsse-server");
    cmd.add("--pki");
    cmd.add(pkiDir.toString());
    cmd.add("--port");
    cmd.add("0");
    Path logs = Path.of("target", "it-logs");
    Files.createDirectories(logs);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    List<String> lines = new CopyOnWriteArrayList<>();
    CompletableFuture<Integer> ready = new CompletableFuture<>();
    Path log = logs.resolve(name + ".log");
    Thread pump =
        new Thread(
            () -> {
              try (BufferedReader r =
                      new BufferedReader(
                          new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                  var w = Files.newBufferedWriter(log)) {
                w.write(String.join(" ", cmd) + "\n");
                String line;
                while ((line = r.readLine()) != null) {
                  lines.add(line);
                  w.write(line + "\n");
                  w.flush();
                  Matcher m = READY.matcher(line);
                  if (m.find()) {
                    ready.complete(Integer.parseInt(m.group(1)));
                  }
                }
              } catch (IOException ignored) {
                // process ended
              } finally {
                ready.complete(-1);
              }
            },
            "pump-" + name);
    pump.setDaemon(true);
    pump.start();
    int port;
    try {
      port = ready.get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      p.destroyForcibly();
      throw new IllegalStateException("server " + name + " did not start: " + lines, e);
    }
    if (port < 0) {
      throw new IllegalStateException("server " + name + " exited: " + lines);
    }
    return new ServerProcess(name, p, port, lines);
  }

  /** Everything the server printed so far (agent log lines included). */
  String output() {
    return String.join("\n", output);
  }

  /** Waits until the output contains {@code text}; false after {@code timeout}. */
  boolean awaitOutput(String text, Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      if (output().contains(text)) {
        return true;
      }
      Thread.sleep(50);
    }
    return output().contains(text);
  }

  @Override
  public void close() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
