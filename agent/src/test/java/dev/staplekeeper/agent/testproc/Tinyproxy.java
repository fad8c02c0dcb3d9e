package dev.staplekeeper.agent.testproc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A real tinyproxy forward proxy (Debian package {@code tinyproxy}) with its own config and log.
 */
public final class Tinyproxy implements AutoCloseable {
  private final Daemon daemon;
  private final Path log;

  private Tinyproxy(Daemon daemon, Path log) {
    this.daemon = daemon;
    this.log = log;
  }

  /**
   * Starts tinyproxy on 127.0.0.1:{@code port} with its files in {@code dir}; {@code extraConfig}
   * lines are appended to the config (e.g. {@code BasicAuth user secret} to answer 407).
   */
  public static Tinyproxy start(Path dir, int port, String extraConfig)
      throws IOException, InterruptedException {
    Path exe = Daemon.require("tinyproxy", "tinyproxy");
    Files.createDirectories(dir);
    Path log = dir.resolve("tinyproxy.log");
    Path conf = dir.resolve("tinyproxy.conf");
    Files.writeString(
        conf,
        "Port "
            + port
            + "\nListen 127.0.0.1\nTimeout 10\nMaxClients 20\nLogLevel Connect\nLogFile \""
            + log
            + "\"\n"
            + extraConfig);
    return new Tinyproxy(
        Daemon.start("tinyproxy", dir, List.of(exe.toString(), "-d", "-c", conf.toString()), port),
        log);
  }

  public int port() {
    return daemon.port;
  }

  /** tinyproxy's own log: one {@code Request (file descriptor N): GET http://...} per request. */
  public String log() {
    return Daemon.read(log);
  }

  @Override
  public void close() {
    daemon.close();
  }
}
