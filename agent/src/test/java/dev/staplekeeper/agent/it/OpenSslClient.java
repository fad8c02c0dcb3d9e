package dev.staplekeeper.agent.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@code openssl s_client -status}: the staple as OpenSSL reports it. */
final class OpenSslClient {
  private OpenSslClient() {}

  /** Runs one handshake; returns openssl's full output. */
  static String status(int port, String tlsFlag, Path rootPem)
      throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(
                List.of(
                    "openssl",
                    "s_client",
                    "-connect",
                    "127.0.0.1:" + port,
                    "-servername",
                    "localhost",
                    tlsFlag,
                    "-status",
                    "-CAfile",
                    rootPem.toString()))
            .redirectErrorStream(true)
            .start();
    p.getOutputStream().close();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("openssl s_client did not finish");
    }
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }
}
