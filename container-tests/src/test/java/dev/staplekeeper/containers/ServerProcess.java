package dev.staplekeeper.containers;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A server started as a separate OS process (a launcher script or {@code start.jar}), its output
 * going to a log file.
 *
 * <p>{@link #close()} ends the whole process tree: launchers such as Jetty's {@code start.jar
 * --exec} fork the real server JVM, which a plain {@link Process#destroy()} of the launcher would
 * leave running.
 */
final class ServerProcess implements AutoCloseable {
  private static final Duration GRACE = Duration.ofSeconds(10);

  private final String name;
  private final Process process;
  private final Path log;
  private final int port;
  private final Launch launch;

  /** How the process was started, so that {@link #restart()} can do it again. */
  private record Launch(
      List<String> command,
      Path workDir,
      Map<String, String> env,
      String readyText,
      Duration startTimeout) {}

  private final Thread shutdownHook;

  private ServerProcess(String name, Process process, Path log, int port, Launch launch) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.port = port;
    this.launch = launch;
    // a test JVM ended early (Ctrl-C, failsafe timeout) must not leave servers behind
    this.shutdownHook = new Thread(this::destroyTree, "stop " + name);
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /**
   * Starts {@code command} in {@code workDir} with {@code env} added to this JVM's environment (an
   * empty value removes the variable) and waits until {@code port} on 127.0.0.1 accepts connections
   * and the log shows {@code readyText}.
   *
   * <p>An open port alone does not mean ready: Tomcat binds its port while initialising but accepts
   * connections only once started, seconds later on a loaded machine.
   */
  static ServerProcess start(
      String name,
      List<String> command,
      Path workDir,
      Map<String, String> env,
      Path log,
      int port,
      String readyText,
      Duration startTimeout)
      throws IOException, InterruptedException {
    return launch(
        name, log, port, new Launch(List.copyOf(command), workDir, env, readyText, startTimeout));
  }

  private static ServerProcess launch(String name, Path log, int port, Launch launch)
      throws IOException, InterruptedException {
    List<String> command = launch.command();
    Path workDir = launch.workDir();
    Map<String, String> env = launch.env();
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    env.forEach(
        (key, value) -> {
          if (value.isEmpty()) {
            builder.environment().remove(key);
          } else {
            builder.environment().put(key, value);
          }
        });
    ServerProcess server = new ServerProcess(name, builder.start(), log, port, launch);
    try {
      server.awaitReady(launch.readyText(), launch.startTimeout());
    } catch (IOException | InterruptedException | RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  /**
   * Stops this server and starts it again with the same command, configuration and port; the new
   * process logs to the same file, which starts empty.
   */
  ServerProcess restart() throws IOException, InterruptedException {
    close();
    return launch(name, log, port, launch);
  }

  int port() {
    return port;
  }

  /**
   * The pid of the server's JVM: the last {@code java} in the process tree (a launcher forks it).
   */
  long jvmPid() {
    long pid = process.pid();
    for (ProcessHandle h : process.descendants().collect(Collectors.toList())) {
      if (h.info()
          .command()
          .map(c -> Path.of(c).getFileName().toString().equals("java"))
          .orElse(false)) {
        pid = h.pid();
      }
    }
    return pid;
  }

  Path log() {
    return log;
  }

  String logText() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void awaitReady(String readyText, Duration timeout)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException(
            name + " exited with " + process.exitValue() + " before it was ready:\n" + tail());
      }
      if (logText().contains(readyText) && listening()) {
        return;
      }
      Thread.sleep(100);
    }
    throw new IOException(
        name
            + " did not log '"
            + readyText
            + "' and listen on port "
            + port
            + " within "
            + timeout
            + ":\n"
            + tail());
  }

  private boolean listening() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException notYet) {
      return false;
    }
  }

  /** The last lines of the server log, for failure messages. */
  String tail() {
    List<String> lines = logText().lines().toList();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }

  /**
   * Ends the process tree: SIGTERM to the children first (the server JVM behind a launcher), then
   * the process itself, SIGKILL to whatever is left after a grace period.
   */
  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or about to
    }
    destroyTree();
  }

  private void destroyTree() {
    List<ProcessHandle> tree =
        process.descendants().collect(Collectors.toCollection(ArrayList::new));
    tree.add(process.toHandle());
    tree.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + GRACE.toNanos();
    for (ProcessHandle handle : tree) {
      long left = Math.max(0, deadline - System.nanoTime());
      try {
        handle.onExit().get(left, TimeUnit.NANOSECONDS);
      } catch (Exception stillRunning) {
        handle.destroyForcibly();
      }
    }
    try {
      process.waitFor(GRACE.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return name + " (pid " + process.pid() + ", port " + port + ")";
  }
}
