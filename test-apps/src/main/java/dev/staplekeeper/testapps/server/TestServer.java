package dev.staplekeeper.testapps.server;

import dev.staplekeeper.testapps.pki.TestPki;
import java.io.Closeable;
import java.nio.file.Path;

/** An HTTPS test server listening on 127.0.0.1 with the PKI's {@code server.p12}. */
public interface TestServer extends Closeable {
  /** The port actually bound (useful when started on port 0). */
  int port();

  /** Stops the server and releases the port. */
  @Override
  void close();

  /** Which server implementation to start. */
  enum Kind {
    JSSE("jsse-server"),
    TOMCAT("tomcat"),
    JETTY("jetty");

    private final String command;

    Kind(String command) {
      this.command = command;
    }

    /** The command name of the test-apps jar. */
    public String command() {
      return command;
    }

    /** Parses a command name ({@code jsse-server}, {@code tomcat}, {@code jetty}) or enum name. */
    public static Kind parse(String text) {
      String t = text.toLowerCase(java.util.Locale.ROOT);
      for (Kind k : values()) {
        if (k.command().equals(t) || k.name().toLowerCase(java.util.Locale.ROOT).equals(t)) {
          return k;
        }
      }
      throw new IllegalArgumentException(
          "unknown server '" + text + "' (use jetty, tomcat or jsse-server)");
    }

    /** Starts this kind of server over {@code keystore} (PKCS12, alias server). */
    public TestServer start(Path keystore, char[] password, int port) throws Exception {
      return switch (this) {
        case JSSE -> JsseServer.start(keystore, password, port);
        case TOMCAT -> TomcatApp.start(keystore, password, port);
        case JETTY -> JettyApp.start(keystore, password, port);
      };
    }

    /** Starts this kind of server over the PKI's {@code server.p12}. */
    public TestServer start(TestPki pki, int port) throws Exception {
      return start(pki.keystore(), TestPki.PASSWORD.toCharArray(), port);
    }
  }
}
