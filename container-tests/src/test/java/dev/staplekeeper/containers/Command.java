package dev.staplekeeper.containers;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a short-lived command-line client with closed stdin and a time limit. */
final class Command {
  private Command() {}

  record Result(int exitCode, String output, Duration elapsed) {}

  static Result run(List<String> command, Duration timeout) throws IOException {
    // output goes to a file so that a client stuck in a handshake cannot block us on a pipe
    Path out = Files.createTempFile("staplekeeper-client", ".out");
    try {
      long start = System.nanoTime();
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .start();
      boolean exited;
      try {
        exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
      Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
      if (!exited) {
        process.destroyForcibly();
        throw new IOException(
            String.join(" ", command)
                + " did not finish within "
                + timeout
                + ":\n"
                + Files.readString(out, StandardCharsets.UTF_8));
      }
      return new Result(
          process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), elapsed);
    } finally {
      Files.deleteIfExists(out);
    }
  }
}
