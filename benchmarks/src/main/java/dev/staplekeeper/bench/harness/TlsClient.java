package dev.staplekeeper.bench.harness;

import dev.staplekeeper.testapps.ocsp.OcspResponseInfo;
import java.io.IOException;
import java.math.BigInteger;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * A JDK TLS client doing full handshakes only: a new {@link SSLContext} for every connection, so no
 * session is ever resumed and the server must look up a staple each time. The client asks for a
 * staple (status_request, and status_request_v2 when TLS 1.2 is negotiable) and checks what comes
 * back like a Must-Staple client would: successful, CertID of the leaf, signed by the issuer or its
 * delegated responder, good or revoked, current. Verdicts are cached per distinct staple (the bytes
 * are the same for every handshake until the server's response changes); the time checks are done
 * per handshake.
 */
public final class TlsClient {
  static {
    if (System.getProperty("jdk.tls.client.enableStatusRequestExtension") == null) {
      System.setProperty("jdk.tls.client.enableStatusRequestExtension", "true");
    }
  }

  private static final Duration SKEW = Duration.ofMinutes(5);

  /** One connection. {@code nanos} is the duration of {@code startHandshake()}. */
  public record Result(
      boolean ok, boolean refused, long nanos, boolean stapled, boolean valid, String error) {}

  private final TrustManager[] trust;
  private final X509Certificate issuer;
  private final BigInteger leafSerial;
  private final int readTimeoutMillis;
  private final ConcurrentHashMap<ByteBuffer, OcspResponseInfo> verdicts =
      new ConcurrentHashMap<>();

  public TlsClient(
      X509Certificate root, X509Certificate issuer, BigInteger leafSerial, int readTimeoutMillis)
      throws GeneralSecurityException, IOException {
    KeyStore ts = KeyStore.getInstance("PKCS12");
    ts.load(null, null);
    ts.setCertificateEntry("root", root);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ts);
    this.trust = tmf.getTrustManagers();
    this.issuer = issuer;
    this.leafSerial = leafSerial;
    this.readTimeoutMillis = readTimeoutMillis;
  }

  /** One full handshake with 127.0.0.1:{@code port}; never throws. */
  public Result handshake(int port) {
    SSLContext context;
    try {
      context = SSLContext.getInstance("TLS");
      context.init(null, trust, null);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    try (Socket tcp = new Socket()) {
      tcp.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      tcp.setSoTimeout(readTimeoutMillis);
      tcp.setTcpNoDelay(true);
      try (SSLSocket tls =
          (SSLSocket) context.getSocketFactory().createSocket(tcp, "localhost", port, false)) {
        long t0 = System.nanoTime();
        tls.startHandshake();
        long nanos = System.nanoTime() - t0;
        ExtendedSSLSession session = (ExtendedSSLSession) tls.getSession();
        List<byte[]> responses = session.getStatusResponses();
        byte[] staple = responses.isEmpty() ? null : responses.get(0);
        boolean stapled = staple != null && staple.length > 0;
        boolean valid = stapled && valid(staple);
        return new Result(true, false, nanos, stapled, valid, null);
      }
    } catch (ConnectException e) {
      return new Result(false, true, 0, false, false, e.toString());
    } catch (IOException | RuntimeException e) {
      return new Result(false, false, 0, false, false, e.toString());
    }
  }

  private boolean valid(byte[] staple) {
    OcspResponseInfo info =
        verdicts.computeIfAbsent(
            ByteBuffer.wrap(staple), b -> OcspResponseInfo.parse(staple, issuer, leafSerial));
    return info.valid(Instant.now(), SKEW);
  }
}
