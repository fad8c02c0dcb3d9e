package dev.staplekeeper.testapps.process;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A child process of a test, a benchmark or the demo: a JVM (any JDK, with {@code -javaagent},
 * system properties and a main class or a test-apps command) or any launcher command (Tomcat's
 * {@code catalina.sh}, Jetty's {@code start.jar}) that forks one.
 *
 * <p>Contract:
 *
 * <ul>
 *   <li>stdout and stderr together are read line by line; every line is kept in memory with the
 *       {@link System#nanoTime()} it was read ({@link #lines()}, {@link #output()}), copied to the
 *       log file if one is given, and handed to the {@code onLine} listener.
 *   <li>{@link Builder#start()} returns once the child is ready, or fails with the last output
 *       lines: ready means its {@link Ready} line ({@code READY port=N ...}), or, for launchers
 *       that print no such line, a given text in the output and a given port accepting connections
 *       ({@link Builder#readyWhen}), or a line that names the port ({@link Builder#readyLine}).
 *   <li>stdin stays an open pipe (a test-apps server started with {@code --exit-on-stdin-eof} exits
 *       when it closes, so it cannot outlive its parent).
 *   <li>{@link #close()} ends the whole process tree: stdin closed, SIGTERM to the process and its
 *       descendants, SIGKILL to whatever is left after a grace period. A JVM shutdown hook does the
 *       same if the parent ends first (Ctrl-C, a failsafe timeout).
 * </ul>
 *
 * <pre>{@code
 * try (ChildJvm server =
 *     ChildJvm.java(jdkHome)
 *         .name("server-agent")
 *         .javaagent(agentJar, "coldWait=2s")
 *         .property("jdk.tls.server.enableStatusRequestExtension", "true")
 *         .testApps(testAppsJar, "jsse-server", "--pki", pkiDir.toString(), "--port", "0")
 *         .log(logDir.resolve("server-agent.log"))
 *         .start()) {
 *   int port = server.port();
 *   server.awaitOutput("active on Java", Duration.ofSeconds(10));
 * }
 * }</pre>
 */
public final class ChildJvm implements AutoCloseable {
  /** The main class of the test-apps jar. */
  public static final String TEST_APPS_MAIN = "dev.staplekeeper.testapps.Main";

  private static final int TAIL_LINES = 40;

  /** One output line and {@link System#nanoTime()} when it was read. */
  public record Line(long nanos, String text) {}

  private final Builder spec;
  private final List<String> command;
  private final Process process;
  private final List<Line> lines = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Map<String, String>> ready = new CompletableFuture<>();
  private final Thread shutdownHook;
  private final long launchedNanos;
  private volatile long readyNanos = -1;
  private volatile Map<String, String> readyFields = Map.of();

  private ChildJvm(Builder spec, List<String> command) throws IOException {
    this.spec = spec;
    this.command = command;
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    if (spec.workDir != null) {
      pb.directory(spec.workDir.toFile());
    }
    spec.env.forEach(
        (k, v) -> {
          if (v.isEmpty()) {
            pb.environment().remove(k);
          } else {
            pb.environment().put(k, v);
          }
        });
    if (spec.log != null && spec.log.getParent() != null) {
      Files.createDirectories(spec.log.getParent());
    }
    this.launchedNanos = System.nanoTime();
    this.process = pb.start();
    this.shutdownHook = new Thread(this::destroyTree, "stop " + spec.name);
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    Thread pump = new Thread(this::pump, "child-output-" + spec.name);
    pump.setDaemon(true);
    pump.start();
  }

  /** A JVM of the JDK at {@code javaHome} ({@code javaHome/bin/java}). */
  public static Builder java(Path javaHome) {
    return new Builder(javaHome.resolve("bin").resolve("java").toString(), null);
  }

  /** A JVM of the JDK running this code. */
  public static Builder java() {
    return java(Path.of(System.getProperty("java.home")));
  }

  /** A JVM started by this {@code java} executable. */
  public static Builder javaExecutable(String java) {
    return new Builder(Objects.requireNonNull(java), null);
  }

  /** Any command, e.g. a launcher script that forks the real server JVM. */
  public static Builder command(List<String> command) {
    return new Builder(null, List.copyOf(command));
  }

  private void pump() {
    Writer log = null;
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      if (spec.log != null) {
        log = Files.newBufferedWriter(spec.log, StandardCharsets.UTF_8);
      }
      String text;
      while ((text = in.readLine()) != null) {
        long now = System.nanoTime();
        lines.add(new Line(now, text));
        if (log != null) {
          log.write(text);
          log.write('\n');
          log.flush();
        }
        spec.onLine.accept(text);
        if (!ready.isDone() && spec.readyText == null) {
          Map<String, String> fields = readyFields(text);
          if (fields != null) {
            readyNanos = now;
            readyFields = Map.copyOf(fields);
            ready.complete(fields);
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      // the process is gone, or the log cannot be written
    } finally {
      if (log != null) {
        try {
          log.close();
        } catch (IOException e) {
          // nothing to do
        }
      }
      ready.completeExceptionally(new IOException(spec.name + " ended its output"));
    }
  }

  private Map<String, String> readyFields(String text) {
    if (spec.readyLine == null) {
      return Ready.parse(text);
    }
    Matcher m = spec.readyLine.matcher(text);
    return m.find() ? Map.of("port", m.group("port")) : null;
  }

  /**
   * Waits until the child is ready (see the class contract) and returns its port.
   *
   * @throws IOException if it exits first or is not ready within {@code timeout}; the message holds
   *     its last output lines
   */
  public int awaitReady(Duration timeout) throws IOException, InterruptedException {
    if (spec.readyText != null) {
      awaitTextAndPort(timeout);
      return spec.port;
    }
    try {
      Map<String, String> fields = ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return Integer.parseInt(fields.get("port"));
    } catch (TimeoutException e) {
      throw new IOException(
          spec.name + " printed no READY line within " + timeout + "; its last lines:\n" + tail());
    } catch (ExecutionException e) {
      process.waitFor(2, TimeUnit.SECONDS);
      throw new IOException(
          spec.name + " exited before it was ready" + exitCode() + "; its last lines:\n" + tail());
    }
  }

  private void awaitTextAndPort(Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException(
            spec.name
                + " exited before it was ready"
                + exitCode()
                + "; its last lines:\n"
                + tail());
      }
      if (output().contains(spec.readyText) && listening(spec.port)) {
        readyNanos = System.nanoTime();
        return;
      }
      Thread.sleep(100);
    }
    throw new IOException(
        spec.name
            + " did not print '"
            + spec.readyText
            + "' and listen on port "
            + spec.port
            + " within "
            + timeout
            + "; its last lines:\n"
            + tail());
  }

  private String exitCode() {
    return process.isAlive() ? "" : " (exit code " + process.exitValue() + ")";
  }

  private static boolean listening(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException notYet) {
      return false;
    }
  }

  /** The port from the READY line, or the one given to {@link Builder#readyWhen}. */
  public int port() {
    if (spec.readyText != null) {
      return spec.port;
    }
    String p = readyFields.get("port");
    if (p == null) {
      throw new IllegalStateException(spec.name + " is not ready");
    }
    return Integer.parseInt(p);
  }

  /** A field of the READY line, e.g. {@code control} of the responder; null if absent. */
  public String readyField(String key) {
    return readyFields.get(key);
  }

  public String name() {
    return spec.name;
  }

  public long pid() {
    return process.pid();
  }

  /**
   * The pid of the JVM behind this child: the last {@code java} process in its tree, for a launcher
   * ({@code catalina.sh}, {@code start.jar --exec}) that forks it; the child itself otherwise.
   */
  public long jvmPid() {
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

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Waits up to {@code timeout} for the process to exit by itself; true if it did. */
  public boolean waitFor(Duration timeout) throws InterruptedException {
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * @throws IllegalThreadStateException if it has not exited
   */
  public int exitValue() {
    return process.exitValue();
  }

  /** The command line it was started with. */
  public List<String> commandLine() {
    return command;
  }

  /** The log file, or null. */
  public Path log() {
    return spec.log;
  }

  /** {@link System#nanoTime()} just before the process was started. */
  public long launchedNanos() {
    return launchedNanos;
  }

  /** {@link System#nanoTime()} when the child was seen ready; -1 before. */
  public long readyNanos() {
    return readyNanos;
  }

  /** Every output line so far. */
  public List<Line> lines() {
    return List.copyOf(lines);
  }

  /** Everything printed so far, one line per line. */
  public String output() {
    return lines.stream().map(Line::text).collect(Collectors.joining("\n"));
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

  /** Waits until the output contains {@code text}; false after {@code timeout}. */
  public boolean awaitOutput(String text, Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      if (output().contains(text)) {
        return true;
      }
      Thread.sleep(50);
    }
    return output().contains(text);
  }

  /** The last output lines, indented, for failure messages. */
  public String tail() {
    List<Line> all = lines();
    if (all.isEmpty()) {
      return "    (no output" + (spec.log == null ? ")" : "; see " + spec.log + ")");
    }
    return all.subList(Math.max(0, all.size() - TAIL_LINES), all.size()).stream()
        .map(l -> "    | " + l.text())
        .collect(Collectors.joining("\n"));
  }

  /** The pipe to the child's stdin. */
  public OutputStream stdin() {
    return process.getOutputStream();
  }

  /** Stops this process and starts the same command again; the log file starts empty. */
  public ChildJvm restart() throws IOException, InterruptedException {
    close();
    return spec.start();
  }

  /** Ends the process tree (see the class contract). */
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
    List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
    tree.add(process.toHandle());
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      // already closed
    }
    tree.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + spec.stopGrace.toNanos();
    for (ProcessHandle h : tree) {
      long left = Math.max(0, deadline - System.nanoTime());
      try {
        h.onExit().get(left, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        h.destroyForcibly();
      } catch (ExecutionException | TimeoutException e) {
        h.destroyForcibly();
      }
    }
    try {
      process.waitFor(spec.stopGrace.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return spec.name + " (pid " + process.pid() + ")";
  }

  /** How to start a child; {@link #start()} may be called more than once. */
  public static final class Builder {
    private final String java;
    private final List<String> rawCommand;
    private final List<String> jvmArgs = new ArrayList<>();
    private final List<String> mainAndArgs = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private String classpath;
    private String name = "child";
    private Path workDir;
    private Path log;
    private String readyText;
    private Pattern readyLine;
    private int port = -1;
    private Duration startTimeout = Duration.ofSeconds(60);
    private Duration stopGrace = Duration.ofSeconds(10);
    private Consumer<String> onLine = l -> {};

    private Builder(String java, List<String> rawCommand) {
      this.java = java;
      this.rawCommand = rawCommand;
    }

    /** Names the child in thread names and messages. */
    public Builder name(String name) {
      this.name = Objects.requireNonNull(name);
      return this;
    }

    /** JVM options, in order, before the main class (e.g. {@code -Xmx256m}). */
    public Builder jvmArgs(List<String> args) {
      requireJava();
      jvmArgs.addAll(args);
      return this;
    }

    public Builder jvmArgs(String... args) {
      return jvmArgs(List.of(args));
    }

    /** {@code -javaagent:JAR}. */
    public Builder javaagent(Path jar) {
      return jvmArgs("-javaagent:" + jar);
    }

    /** {@code -javaagent:JAR=OPTIONS}. */
    public Builder javaagent(Path jar, String options) {
      return jvmArgs("-javaagent:" + jar + "=" + options);
    }

    /** {@code -Dkey=value}. */
    public Builder property(String key, String value) {
      return jvmArgs("-D" + key + "=" + value);
    }

    /** {@code -cp CLASSPATH MAIN ARGS...}. */
    public Builder main(String classpath, String mainClass, List<String> args) {
      requireJava();
      this.classpath = classpath;
      mainAndArgs.clear();
      mainAndArgs.add(mainClass);
      mainAndArgs.addAll(args);
      return this;
    }

    /** {@code -jar JAR ARGS...}: an executable jar such as a Spring Boot fat jar. */
    public Builder jar(Path jar, List<String> args) {
      requireJava();
      this.classpath = null;
      mainAndArgs.clear();
      mainAndArgs.add("-jar");
      mainAndArgs.add(jar.toString());
      mainAndArgs.addAll(args);
      return this;
    }

    /** A test-apps command: {@code -cp JAR dev.staplekeeper.testapps.Main COMMAND ARGS...}. */
    public Builder testApps(Path jar, String command, String... args) {
      List<String> all = new ArrayList<>();
      all.add(command);
      all.addAll(List.of(args));
      return main(jar.toString(), TEST_APPS_MAIN, all);
    }

    /** Adds {@code key=value} to the child's environment; an empty value removes the variable. */
    public Builder env(String key, String value) {
      env.put(key, value);
      return this;
    }

    public Builder env(Map<String, String> vars) {
      env.putAll(vars);
      return this;
    }

    public Builder workDir(Path dir) {
      this.workDir = dir;
      return this;
    }

    /** Copies every output line to {@code file} (created with its parent directories). */
    public Builder log(Path file) {
      this.log = file;
      return this;
    }

    /**
     * For launchers that print no READY line: ready once the output contains {@code text} and
     * {@code port} on 127.0.0.1 accepts connections (an open port alone does not mean ready: Tomcat
     * binds while initialising and accepts only once started).
     */
    public Builder readyWhen(String text, int port) {
      this.readyText = Objects.requireNonNull(text);
      this.port = port;
      return this;
    }

    /**
     * For servers that print no READY line but log the port they listen on (Spring Boot's "Tomcat
     * started on port 41234"): ready at the first output line in which {@code line} is found; its
     * named group {@code port} is the port.
     */
    public Builder readyLine(Pattern line) {
      this.readyLine = Objects.requireNonNull(line);
      return this;
    }

    /** How long {@link #start()} waits (default 60 s). */
    public Builder startTimeout(Duration timeout) {
      this.startTimeout = timeout;
      return this;
    }

    /** How long {@link ChildJvm#close()} waits after SIGTERM before SIGKILL (default 10 s). */
    public Builder stopGrace(Duration grace) {
      this.stopGrace = grace;
      return this;
    }

    /** Sees every output line, on the thread that reads them. */
    public Builder onLine(Consumer<String> listener) {
      this.onLine = Objects.requireNonNull(listener);
      return this;
    }

    /** The command line this builder starts. */
    public List<String> commandLine() {
      if (rawCommand != null) {
        return rawCommand;
      }
      if (mainAndArgs.isEmpty()) {
        throw new IllegalStateException("no main class for " + name);
      }
      List<String> cmd = new ArrayList<>();
      cmd.add(java);
      cmd.addAll(jvmArgs);
      if (classpath != null) {
        cmd.add("-cp");
        cmd.add(classpath);
      }
      cmd.addAll(mainAndArgs);
      return cmd;
    }

    /** Starts the child without waiting; see {@link ChildJvm#awaitReady}. */
    public ChildJvm launch() throws IOException {
      return new ChildJvm(this, List.copyOf(commandLine()));
    }

    /** Starts the child and waits until it is ready; on failure nothing is left running. */
    public ChildJvm start() throws IOException, InterruptedException {
      ChildJvm child = launch();
      try {
        child.awaitReady(startTimeout);
        return child;
      } catch (IOException | InterruptedException | RuntimeException e) {
        child.close();
        throw e;
      }
    }

    private void requireJava() {
      if (java == null) {
        throw new IllegalStateException("JVM options need ChildJvm.java(...), not command(...)");
      }
    }
  }
}
