package dev.staplekeeper.testapps.server;

import dev.staplekeeper.testapps.pki.TestPki;
import java.io.IOException;
import java.nio.file.Path;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * Embedded Jetty 12 (core Handler API, no servlets) with one HTTPS connector over a PKCS12 keystore
 * on 127.0.0.1 ({@link SslContextFactory.Server}, {@link SecureRequestCustomizer} with the SNI host
 * check off so that clients connecting to 127.0.0.1 are served). No stapling code.
 */
public final class JettyApp implements TestServer {
  private final Server server;
  private final ServerConnector connector;

  private JettyApp(Server server, ServerConnector connector) {
    this.server = server;
    this.connector = connector;
  }

  public static JettyApp start(TestPki pki, int port) throws IOException {
    return start(pki.keystore(), TestPki.PASSWORD.toCharArray(), port);
  }

  /** Starts on 127.0.0.1:{@code port} (0 = any free port); returns once listening. */
  public static JettyApp start(Path keystore, char[] password, int port) throws IOException {
    Server server = new Server();
    SslContextFactory.Server ssl = new SslContextFactory.Server();
    ssl.setKeyStorePath(keystore.toAbsolutePath().toString());
    ssl.setKeyStorePassword(new String(password));
    ssl.setKeyStoreType("PKCS12");
    ssl.setCertAlias("server");

    HttpConfiguration https = new HttpConfiguration();
    SecureRequestCustomizer secure = new SecureRequestCustomizer();
    secure.setSniHostCheck(false);
    https.addCustomizer(secure);

    ServerConnector connector =
        new ServerConnector(
            server, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(https));
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    server.addConnector(connector);
    server.setHandler(new PageHandler());
    try {
      server.start();
    } catch (Exception e) {
      stopQuietly(server);
      throw new IOException("Jetty did not start: " + e.getMessage(), e);
    }
    return new JettyApp(server, connector);
  }

  @Override
  public int port() {
    return connector.getLocalPort();
  }

  @Override
  public void close() {
    stopQuietly(server);
  }

  private static void stopQuietly(Server server) {
    try {
      server.stop();
    } catch (Exception e) {
      // stopping anyway
    }
  }

  private static final class PageHandler extends Handler.Abstract {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      response.setStatus(200);
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
      Content.Sink.write(response, true, String.format(JsseServer.BODY, "jetty"), callback);
      return true;
    }
  }
}
