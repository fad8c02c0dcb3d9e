package dev.staplekeeper.agent.testproc;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real third-party server (tinyproxy, nginx, openssl ocsp) run by a test in the foreground with
 * its own configuration on a loopback port, its output kept in a file. Closing it kills it.
 */
public final class Daemon implements AutoCloseable {
  private final String name;
  private final Process process;
  private final Path output;
  public final int port;

  private Daemon(String name, Process process, Path output, int port) {
    this.name = name;
    this.process = process;
    this.output = output;
    this.port = port;
  }

  /**
   * The installed executable {@code binary} (searched on PATH, then in /usr/sbin and /sbin); skips
   * the calling test with a message saying how to install it when it is absent. CI installs it
   * ({@code .ci/run}), so there the test always runs.
   */
  public static Path require(String binary, String debianPackage) {
    Path found = find(binary);
    Assumptions.assumeTrue(
        found != null,
        binary
            + " is not installed, so this test cannot start its real "
            + binary
            + " (apt-get install "
            + debianPackage
            + "; .ci/run installs it)");
    return found;
  }

  static Path find(String binary) {
    String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin:/usr/bin:/bin";
    for (String d : path.split(":")) {
      if (d.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(d, binary);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  /** A loopback port that was free a moment ago. */
  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /**
   * Starts {@code command} in {@code dir}, output to {@code dir/<name>.out}, and waits until
   * 127.0.0.1:{@code port} accepts connections.
   */
  public static Daemon start(String name, Path dir, List<String> command, int port)
      throws IOException, InterruptedException {
    return start(name, dir, command, port, null);
  }

  /**
   * Like {@link #start(String, Path, List, int)}, but ready once the output contains {@code
   * readyText} when that is not null (for servers that a bare probe connection would stall, such as
   * the single-threaded {@code openssl ocsp}).
   */
  public static Daemon start(
      String name, Path dir, List<String> command, int port, String readyText)
      throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Path output = dir.resolve(name + ".out");
    Process p =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    Daemon daemon = new Daemon(name, p, output, port);
    long end = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (System.nanoTime() < end) {
      if (!p.isAlive()) {
        throw new IllegalStateException(
            name + " exited with " + p.exitValue() + ": " + daemon.output() + " (" + command + ")");
      }
      if (readyText != null) {
        if (daemon.output().contains(readyText)) {
          return daemon;
        }
        Thread.sleep(50);
        continue;
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return daemon;
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
    daemon.close();
    throw new IllegalStateException(name + " did not listen on " + port + ": " + daemon.output());
  }

  /** What the process printed so far. */
  public String output() {
    return read(output);
  }

  /** A file's text, empty when it does not exist (yet). */
  public static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file, StandardCharsets.ISO_8859_1) : "";
    } catch (IOException e) {
      return "(cannot read " + file + ": " + e + ")";
    }
  }

  @Override
  public void close() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      process.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return name + " on 127.0.0.1:" + port;
  }
}
