package dev.staplekeeper.testapps.server;

import dev.staplekeeper.testapps.pki.TestPki;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.net.SSLHostConfig;
import org.apache.tomcat.util.net.SSLHostConfigCertificate;

/**
 * Embedded Tomcat 11 with one HTTPS connector (NIO, JSSE implementation) over a PKCS12 keystore on
 * 127.0.0.1 and one servlet answering every request with a small page. No stapling code: the JDK
 * (or the agent) does it.
 */
public final class TomcatApp implements TestServer {
  static final String JSSE_IMPLEMENTATION = "org.apache.tomcat.util.net.jsse.JSSEImplementation";

  private final Tomcat tomcat;
  private final Connector connector;
  private final Path baseDir;

  private TomcatApp(Tomcat tomcat, Connector connector, Path baseDir) {
    this.tomcat = tomcat;
    this.connector = connector;
    this.baseDir = baseDir;
  }

  public static TomcatApp start(TestPki pki, int port) throws IOException {
    return start(pki.keystore(), TestPki.PASSWORD.toCharArray(), port);
  }

  /** Starts on 127.0.0.1:{@code port} (0 = any free port); returns once listening. */
  public static TomcatApp start(Path keystore, char[] password, int port) throws IOException {
    Path baseDir = Files.createTempDirectory("staplekeeper-tomcat");
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(baseDir.toString());

    Connector connector = new Connector("org.apache.coyote.http11.Http11NioProtocol");
    connector.setPort(port);
    connector.setScheme("https");
    connector.setSecure(true);
    connector.setProperty("address", "127.0.0.1");
    connector.setProperty("SSLEnabled", "true");
    connector.setProperty("sslImplementationName", JSSE_IMPLEMENTATION);
    SSLHostConfig host = new SSLHostConfig();
    SSLHostConfigCertificate cert =
        new SSLHostConfigCertificate(host, SSLHostConfigCertificate.Type.UNDEFINED);
    cert.setCertificateKeystoreFile(keystore.toAbsolutePath().toString());
    cert.setCertificateKeystorePassword(new String(password));
    cert.setCertificateKeystoreType("PKCS12");
    cert.setCertificateKeyAlias("server");
    host.addCertificate(cert);
    connector.addSslHostConfig(host);
    tomcat.getService().addConnector(connector);
    tomcat.setConnector(connector);

    Context ctx = tomcat.addContext("", baseDir.toString());
    Tomcat.addServlet(ctx, "page", new PageServlet());
    ctx.addServletMappingDecoded("/*", "page");
    try {
      tomcat.start();
    } catch (LifecycleException e) {
      stopQuietly(tomcat, baseDir);
      throw new IOException("Tomcat did not start: " + e.getMessage(), e);
    }
    if (connector.getLocalPort() <= 0) {
      stopQuietly(tomcat, baseDir);
      throw new IOException("Tomcat's HTTPS connector did not bind 127.0.0.1:" + port);
    }
    return new TomcatApp(tomcat, connector, baseDir);
  }

  @Override
  public int port() {
    return connector.getLocalPort();
  }

  @Override
  public void close() {
    stopQuietly(tomcat, baseDir);
  }

  private static void stopQuietly(Tomcat tomcat, Path baseDir) {
    try {
      tomcat.stop();
      tomcat.destroy();
    } catch (LifecycleException e) {
      // stopping anyway
    }
    try (Stream<Path> files = Files.walk(baseDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // a temp dir left behind
    }
  }

  private static final class PageServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      resp.setStatus(200);
      resp.setContentType("text/plain");
      resp.getWriter().print(String.format(JsseServer.BODY, "tomcat"));
    }
  }
}
