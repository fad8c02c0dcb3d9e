package dev.staplekeeper.testapps.server;

import dev.staplekeeper.testapps.pki.IssuedCert;
import dev.staplekeeper.testapps.pki.TestPki;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;

/**
 * A JSSE HTTPS server with many certificates chosen by SNI: {@code h0.test} ... {@code
 * h<N-1>.test}, EC P-256 leaves issued at start (in parallel, in memory) by the intermediate of the
 * test PKI in {@code pkiDir}, their AIA pointing at the PKI's responder. {@code h0.test} is also
 * served without SNI. Prints {@code READY port=N count=N} when it listens, and runs until killed.
 *
 * <p>Usage: {@code ManySniServer PKI_DIR COUNT [PORT]}.
 */
public final class ManySniServer {
  private ManySniServer() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: ManySniServer PKI_DIR COUNT [PORT]");
      System.exit(2);
    }
    TestPki pki = TestPki.load(Path.of(args[0]));
    int count = Integer.parseInt(args[1]);
    int port = args.length > 2 ? Integer.parseInt(args[2]) : 0;
    long t0 = System.nanoTime();
    Map<String, IssuedCert> certs = issue(pki, count);
    System.out.printf(
        "issued %d certificates in %d ms%n", count, (System.nanoTime() - t0) / 1_000_000);
    JsseServer server = JsseServer.start(context(certs), port);
    System.out.println("READY port=" + server.port() + " count=" + count);
    System.out.flush();
    Thread.currentThread().join();
  }

  /** {@code h<i>.test}. */
  public static String host(int i) {
    return "h" + i + ".test";
  }

  static Map<String, IssuedCert> issue(TestPki pki, int count) {
    Map<String, IssuedCert> certs = new ConcurrentHashMap<>();
    IntStream.range(0, count)
        .parallel()
        .forEach(i -> certs.put(host(i), pki.issueLeaf(host(i), pki.ocspUrl())));
    return certs;
  }

  static SSLContext context(Map<String, IssuedCert> certs) throws IOException {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(new KeyManager[] {new SniKeyManager(certs, host(0))}, null, null);
      return context;
    } catch (java.security.GeneralSecurityException e) {
      throw new IOException("cannot make the server context: " + e.getMessage(), e);
    }
  }
}
