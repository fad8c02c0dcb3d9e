package dev.staplekeeper.agent.testproc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A real nginx (Debian package {@code nginx-light}) in one foreground process, with its own config,
 * temp directories and access log ({@code <method> <raw request URI> <status>
 * cache=<upstream_cache_status>} per line).
 */
public final class Nginx implements AutoCloseable {
  private final Daemon daemon;
  private final Path accessLog;

  private Nginx(Daemon daemon, Path accessLog) {
    this.daemon = daemon;
    this.accessLog = accessLog;
  }

  /**
   * Starts nginx with {@code httpConfig} (server blocks etc.) inside its {@code http} block and
   * waits for {@code port} (one of the ports the server blocks listen on).
   */
  public static Nginx start(Path dir, int port, String httpConfig)
      throws IOException, InterruptedException {
    Path exe = Daemon.require("nginx", "nginx-light");
    Files.createDirectories(dir.resolve("tmp"));
    Path access = dir.resolve("access.log");
    Path conf = dir.resolve("nginx.conf");
    String d = dir.toAbsolutePath().toString();
    Files.writeString(
        conf,
        "daemon off;\nmaster_process off;\nworker_processes 1;\npid "
            + d
            + "/nginx.pid;\nerror_log "
            + d
            + "/error.log info;\nevents { worker_connections 64; }\nhttp {\n"
            + "  log_format t '$request_method $request_uri $status"
            + " cache=$upstream_cache_status';\n"
            + "  access_log "
            + access
            + " t;\n"
            + "  client_body_temp_path "
            + d
            + "/tmp/body;\n  proxy_temp_path "
            + d
            + "/tmp/proxy;\n  fastcgi_temp_path "
            + d
            + "/tmp/fastcgi;\n  uwsgi_temp_path "
            + d
            + "/tmp/uwsgi;\n  scgi_temp_path "
            + d
            + "/tmp/scgi;\n"
            + httpConfig
            + "\n}\n");
    return new Nginx(
        Daemon.start(
            "nginx",
            dir,
            List.of(exe.toString(), "-p", d, "-c", conf.toString(), "-e", d + "/error.log"),
            port),
        access);
  }

  /** The access log so far. */
  public String accessLog() {
    return Daemon.read(accessLog);
  }

  @Override
  public void close() {
    daemon.close();
  }
}
