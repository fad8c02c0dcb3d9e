package dev.staplekeeper.bench.harness;

import dev.staplekeeper.testapps.pki.TestPki;
import dev.staplekeeper.testapps.server.JsseServer;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Fallback server main for test-apps jars built before the {@code jsse-server} command existed: the
 * same {@link JsseServer}, the same {@code READY port=N} line. {@link ServerJvm} copies this one
 * class next to the test-apps jar's classpath, so the server JVM sees no other benchmark class (and
 * in particular no unshaded agent class that could shadow the {@code -javaagent} jar).
 */
public final class JsseServerLauncher {
  private JsseServerLauncher() {}

  /** {@code JsseServerLauncher PKI_DIR}: serves DIR/server.p12 on a free loopback port. */
  public static void main(String[] args) throws Exception {
    CountDownLatch stop = new CountDownLatch(1);
    try (JsseServer server =
        JsseServer.start(
            Path.of(args[0]).resolve("server.p12"), TestPki.PASSWORD.toCharArray(), 0)) {
      Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "launcher-shutdown"));
      System.out.println("READY port=" + server.port());
      System.out.flush();
      stop.await();
    }
  }
}
