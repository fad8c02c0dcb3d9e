package dev.staplekeeper.testapps.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A child JVM of the demo whose output (stdout and stderr together) goes to a log file, and which
 * announces itself with a {@code READY port=N} line. Its stdin stays an open pipe: {@link
 * DemoServer} exits when it closes, so the child cannot outlive the demo.
 */
final class ChildProcess implements AutoCloseable {
  private static final Pattern READY = Pattern.compile("READY port=(\\d+)");
  private static final int TAIL_LINES = 15;

  private final String name;
  private final Process process;
  private final Path log;
  private final CompletableFuture<Integer> ready = new CompletableFuture<>();
  private final Deque<String> tail = new ArrayDeque<>();
  private final Consumer<String> listener;

  private ChildProcess(String name, Process process, Path log, Consumer<String> listener) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.listener = listener;
  }

  /**
   * Starts {@code command}; does not wait for it to be ready.
   *
   * @param listener sees every output line, on the thread that copies them to the log
   */
  static ChildProcess start(String name, List<String> command, Path log, Consumer<String> listener)
      throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    Process p = pb.start();
    ChildProcess child = new ChildProcess(name, p, log, listener);
    Thread pump = new Thread(child::pump, "demo-log-" + name);
    pump.setDaemon(true);
    pump.start();
    return child;
  }

  private void pump() {
    try (BufferedReader in =
            new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        Writer out = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
      String line;
      while ((line = in.readLine()) != null) {
        out.write(line);
        out.write('\n');
        out.flush();
        synchronized (tail) {
          tail.addLast(line);
          if (tail.size() > TAIL_LINES) {
            tail.removeFirst();
          }
        }
        listener.accept(line);
        Matcher m = READY.matcher(line);
        if (!ready.isDone() && m.find()) {
          ready.complete(Integer.parseInt(m.group(1)));
        }
      }
    } catch (IOException e) {
      // the process is gone
    } finally {
      ready.completeExceptionally(new IOException(name + " exited before it was ready"));
    }
  }

  /** Waits for the READY line and returns the port. */
  int awaitReady(Duration timeout) throws IOException, InterruptedException {
    try {
      return ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new IOException(
          name + " was not ready after " + timeout.toSeconds() + " s; its last lines:\n" + tail());
    } catch (ExecutionException e) {
      process.waitFor(2, TimeUnit.SECONDS);
      String exit = process.isAlive() ? "" : " (exit code " + process.exitValue() + ")";
      throw new IOException(
          name + " exited before it was ready" + exit + "; its last lines:\n" + tail());
    }
  }

  String tail() {
    synchronized (tail) {
      StringBuilder sb = new StringBuilder();
      for (String l : tail) {
        sb.append("    | ").append(l).append('\n');
      }
      return tail.isEmpty() ? "    (no output; see " + log + ")\n" : sb.toString();
    }
  }

  String name() {
    return name;
  }

  long pid() {
    return process.pid();
  }

  Path log() {
    return log;
  }

  /** The pipe to the child's stdin; closing it makes a {@link DemoServer} exit. */
  OutputStream stdin() {
    return process.getOutputStream();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /**
   * Stops the process and its descendants: closes its stdin, sends SIGTERM, and after 5 s SIGKILL
   * to whatever is still alive.
   */
  @Override
  public void close() {
    List<ProcessHandle> family = new ArrayList<>(process.descendants().toList());
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      // already closed
    }
    process.destroy();
    family.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    try {
      process.waitFor(5, TimeUnit.SECONDS);
      for (ProcessHandle h : family) {
        long left = deadline - System.nanoTime();
        if (left > 0) {
          h.onExit().get(left, TimeUnit.NANOSECONDS);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // killed below
    }
    if (process.isAlive()) {
      process.destroyForcibly();
    }
    family.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
  }
}
