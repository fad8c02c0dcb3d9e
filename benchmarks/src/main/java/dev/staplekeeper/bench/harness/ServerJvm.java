package dev.staplekeeper.bench.harness;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The test-apps {@code jsse-server} (no stapling code of its own) in a JVM of its own, with or
 * without {@code -javaagent}. Remembers when it was launched and when it printed {@code READY
 * port=N}, and keeps every output line with the time it was read.
 */
public final class ServerJvm implements AutoCloseable {
  private static final Pattern READY = Pattern.compile("READY port=(\\d+)");
  private static final String LAUNCHER = "dev/staplekeeper/bench/harness/JsseServerLauncher.class";

  /** One output line and {@link System#nanoTime()} when the driver read it. */
  public record Line(long nanos, String text) {}

  private final Process process;
  private final List<Line> lines;
  private final String name;
  public final long launchedNanos;
  public final long readyNanos;
  public final int port;

  private ServerJvm(
      String name,
      Process process,
      List<Line> lines,
      long launchedNanos,
      long readyNanos,
      int port) {
    this.name = name;
    this.process = process;
    this.lines = lines;
    this.launchedNanos = launchedNanos;
    this.readyNanos = readyNanos;
    this.port = port;
  }

  /**
   * The command line of a {@code jsse-server} over {@code pkiDir}: the test-apps {@code Main
   * jsse-server} command when the jar has it, otherwise {@link JsseServerLauncher} (same server,
   * same READY line) copied into {@code scratch}.
   */
  public static List<String> command(
      Path javaHome, Path testAppsJar, Path pkiDir, List<String> jvmArgs, Path scratch)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(javaHome.resolve("bin/java").toString());
    cmd.addAll(jvmArgs);
    cmd.add("-cp");
    if (hasServerCommand(testAppsJar)) {
      cmd.add(testAppsJar.toString());
      cmd.add("dev.staplekeeper.testapps.Main");
      cmd.add("jsse-server");
      cmd.add("--pki");
      cmd.add(pkiDir.toString());
      cmd.add("--port");
      cmd.add("0");
    } else {
      Path dir = scratch.resolve("launcher");
      Path cls = dir.resolve(LAUNCHER);
      if (!Files.exists(cls)) {
        Files.createDirectories(cls.getParent());
        try (InputStream in = ServerJvm.class.getResourceAsStream("/" + LAUNCHER)) {
          Files.copy(in, cls);
        }
      }
      cmd.add(testAppsJar + java.io.File.pathSeparator + dir);
      cmd.add("dev.staplekeeper.bench.harness.JsseServerLauncher");
      cmd.add(pkiDir.toString());
    }
    return cmd;
  }

  static boolean hasServerCommand(Path testAppsJar) throws IOException {
    try (JarFile jar = new JarFile(testAppsJar.toFile())) {
      return jar.getEntry("dev/staplekeeper/testapps/cli/ServerCommand.class") != null;
    }
  }

  /** Launches {@code cmd} and waits (up to 60 s) for its READY line; output goes to {@code log}. */
  public static ServerJvm start(String name, List<String> cmd, Path log)
      throws IOException, InterruptedException {
    Files.createDirectories(log.getParent());
    List<Line> lines = new CopyOnWriteArrayList<>();
    CompletableFuture<long[]> ready = new CompletableFuture<>();
    long launched = System.nanoTime();
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    Thread pump =
        new Thread(
            () -> {
              try (BufferedReader r =
                      new BufferedReader(
                          new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                  Writer w = Files.newBufferedWriter(log)) {
                w.write(String.join(" ", cmd) + "\n");
                String line;
                while ((line = r.readLine()) != null) {
                  long now = System.nanoTime();
                  lines.add(new Line(now, line));
                  w.write(line + "\n");
                  w.flush();
                  Matcher m = READY.matcher(line);
                  if (m.find()) {
                    ready.complete(new long[] {now, Integer.parseInt(m.group(1))});
                  }
                }
              } catch (IOException ignored) {
                // process ended
              } finally {
                ready.complete(new long[] {-1, -1});
              }
            },
            "pump-" + name);
    pump.setDaemon(true);
    pump.start();
    long[] r;
    try {
      r = ready.get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      destroy(p);
      throw new IllegalStateException("server " + name + " did not start; see " + log, e);
    }
    if (r[1] < 0) {
      destroy(p);
      throw new IllegalStateException("server " + name + " exited before READY; see " + log);
    }
    return new ServerJvm(name, p, lines, launched, r[0], (int) r[1]);
  }

  public String name() {
    return name;
  }

  /** Output lines read at or after {@code sinceNanos} that contain {@code text}. */
  public int countLines(long sinceNanos, String text) {
    int n = 0;
    for (Line l : lines) {
      if (l.nanos() >= sinceNanos && l.text().contains(text)) {
        n++;
      }
    }
    return n;
  }

  /** Everything printed so far. */
  public List<Line> lines() {
    return List.copyOf(lines);
  }

  @Override
  public void close() {
    destroy(process);
  }

  private static void destroy(Process p) {
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroy();
    try {
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
    }
  }
}
