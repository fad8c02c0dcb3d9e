package dev.staplekeeper.testapps.server;

import dev.staplekeeper.testapps.pki.TestPki;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * A plain JSSE HTTPS server: an {@link SSLServerSocket} from an {@link SSLContext} with a
 * KeyManagerFactory over a PKCS12 keystore, each connection handled on a thread pool, every request
 * answered with a small HTTP/1.1 200 page, then the connection is closed.
 *
 * <p>It contains no stapling code: with {@code -Djdk.tls.server.enableStatusRequestExtension=true}
 * (read when the SSLContext is created) the JDK staples on its own, and the agent changes how.
 */
public final class JsseServer implements TestServer {
  static final String BODY = "StapleKeeper test server (%s)\n";
  private static final int THREADS = 16;
  private static final int READ_TIMEOUT_MILLIS = 10_000;

  private final SSLServerSocket listener;
  private final ExecutorService pool;
  private final Thread acceptor;
  private final AtomicLong handshakes = new AtomicLong();

  private JsseServer(SSLServerSocket listener) {
    this.listener = listener;
    AtomicInteger n = new AtomicInteger();
    this.pool =
        Executors.newFixedThreadPool(
            THREADS,
            r -> {
              Thread t = new Thread(r, "jsse-server-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.acceptor = new Thread(this::acceptLoop, "jsse-server-accept");
    acceptor.setDaemon(true);
  }

  /** Starts on 127.0.0.1:{@code port} (0 = any free port) with the PKI's server.p12. */
  public static JsseServer start(TestPki pki, int port) throws IOException {
    return start(pki.keystore(), TestPki.PASSWORD.toCharArray(), port);
  }

  /** Starts on 127.0.0.1:{@code port} with a PKCS12 keystore. */
  public static JsseServer start(Path keystore, char[] password, int port) throws IOException {
    return start(sslContext(keystore, password), port);
  }

  /** Starts on 127.0.0.1:{@code port} with a ready server {@code context}. */
  public static JsseServer start(SSLContext context, int port) throws IOException {
    SSLServerSocket ss = (SSLServerSocket) context.getServerSocketFactory().createServerSocket();
    try {
      ss.setReuseAddress(true);
      ss.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 256);
    } catch (IOException e) {
      ss.close();
      throw new IOException("cannot bind 127.0.0.1:" + port + ": " + e.getMessage(), e);
    }
    JsseServer server = new JsseServer(ss);
    server.acceptor.start();
    return server;
  }

  /**
   * An SSLContext ("TLS", JDK provider) over a PKCS12 file: the default KeyManagerFactory for one
   * certificate, the SNI-aware PKIX one for several.
   */
  public static SSLContext sslContext(Path keystore, char[] password) throws IOException {
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(keystore)) {
        ks.load(in, password);
      }
      // several certificates: the PKIX key manager, which picks the one matching the client's SNI
      // (among those it accepts for servers: RSA, or EC with the keyAgreement bit)
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(
              ks.size() > 1 ? "PKIX" : KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, password);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(kmf.getKeyManagers(), null, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot load keystore " + keystore + ": " + e.getMessage(), e);
    }
  }

  @Override
  public int port() {
    return listener.getLocalPort();
  }

  /** Completed TLS handshakes so far. */
  public long handshakes() {
    return handshakes.get();
  }

  @Override
  public void close() {
    try {
      listener.close();
    } catch (IOException e) {
      // closing anyway
    }
    pool.shutdownNow();
    try {
      acceptor.join(2000);
      pool.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void acceptLoop() {
    while (!listener.isClosed()) {
      Socket s;
      try {
        s = listener.accept();
        s.setTcpNoDelay(true); // no Nagle/delayed-ACK stalls in handshake timings
      } catch (IOException e) {
        continue; // closed: the loop ends; otherwise a failed accept, keep serving
      }
      try {
        pool.execute(() -> handle((SSLSocket) s));
      } catch (RejectedExecutionException e) {
        closeQuietly(s);
      }
    }
  }

  private void handle(SSLSocket s) {
    try (s) {
      s.setSoTimeout(READ_TIMEOUT_MILLIS);
      s.startHandshake();
      handshakes.incrementAndGet();
      if (!readRequestHead(s.getInputStream())) {
        return;
      }
      byte[] body = String.format(BODY, "jsse").getBytes(StandardCharsets.US_ASCII);
      OutputStream out = s.getOutputStream();
      out.write(
          ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: "
                  + body.length
                  + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
    } catch (IOException e) {
      // handshake failure, timeout or client gone: nothing to answer
    }
  }

  /** Reads up to the blank line ending the request head; false if the client sent none. */
  private static boolean readRequestHead(InputStream in) throws IOException {
    int total = 0;
    int prev1 = -1;
    int prev2 = -1;
    int b;
    while ((b = in.read()) >= 0) {
      if (++total > 64 * 1024) {
        return false;
      }
      if (b == '\n' && (prev1 == '\n' || (prev1 == '\r' && prev2 == '\n'))) {
        return true;
      }
      prev2 = prev1;
      prev1 = b;
    }
    return false;
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // nothing to do
    }
  }
}
