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

  /** Exit code reported for a client that was killed at its time limit. */
  static final int TIMED_OUT = -1;

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
      try {
        boolean exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        if (!exited) {
          // a client stuck in a handshake is a result to assert on, not a harness error
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
          return new Result(
              TIMED_OUT,
              Files.readString(out, StandardCharsets.UTF_8)
                  + "\n[killed: "
                  + String.join(" ", command)
                  + " did not finish within "
                  + timeout
                  + "]",
              elapsed);
        }
        return new Result(
            process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), elapsed);
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    } finally {
      Files.deleteIfExists(out);
    }
  }
}
