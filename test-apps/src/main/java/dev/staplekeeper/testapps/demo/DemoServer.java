package dev.staplekeeper.testapps.demo;

import dev.staplekeeper.testapps.pki.TestPki;
import dev.staplekeeper.testapps.server.TestServer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A test HTTPS server as a child process of the demo: {@code DemoServer jetty|tomcat|jsse-server
 * KEYSTORE}. Listens on a free port of 127.0.0.1, prints {@code READY port=N}, and exits when its
 * standard input reaches end of file, that is when the demo closes the pipe or dies in any way (so
 * a killed demo leaves no server behind), or on SIGTERM / Ctrl-C.
 */
public final class DemoServer {
  private DemoServer() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: DemoServer jetty|tomcat|jsse-server KEYSTORE");
      System.exit(2);
    }
    TestServer.Kind kind = kind(args[0]);
    TestServer server = kind.start(Path.of(args[1]), TestPki.PASSWORD.toCharArray(), 0);
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "demo-server-stop"));
    System.out.println("READY port=" + server.port());
    System.out.flush();
    try {
      while (System.in.read() >= 0) {
        // nothing is sent; only the end of the stream matters
      }
    } catch (IOException e) {
      // the pipe broke: the demo is gone
    }
    System.exit(0);
  }

  static TestServer.Kind kind(String text) {
    String t = text.toLowerCase(Locale.ROOT);
    for (TestServer.Kind k : TestServer.Kind.values()) {
      if (k.command().equals(t) || k.name().toLowerCase(Locale.ROOT).equals(t)) {
        return k;
      }
    }
    throw new IllegalArgumentException(
        "unknown server '" + text + "' (use jetty, tomcat or jsse-server)");
  }
}
