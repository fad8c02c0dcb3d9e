package dev.staplekeeper.bench.harness;

import dev.staplekeeper.testapps.ocsp.OcspResponseInfo;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
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
import jdk.net.ExtendedSocketOptions;

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
    try (Socket tcp = new QuickAckSocket()) {
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

  /**
   * A socket that asks Linux to acknowledge at once ({@code TCP_QUICKACK}) before every read. The
   * test servers do not set TCP_NODELAY, and the JDK server writes its handshake flight in more
   * than one segment: without this, Nagle on the server and the client's delayed ACK (40 ms minimum
   * on Linux) add ~40 ms to a random share of loopback handshakes, which would swamp every
   * difference measured here. Quick ACKs change no byte on the wire and cost the server nothing.
   */
  static final class QuickAckSocket extends Socket {
    private static final boolean SUPPORTED = supported();
    private InputStream in;

    private static boolean supported() {
      try (Socket s = new Socket()) {
        return s.supportedOptions().contains(ExtendedSocketOptions.TCP_QUICKACK);
      } catch (IOException e) {
        return false;
      }
    }

    @Override
    public synchronized InputStream getInputStream() throws IOException {
      if (in == null) {
        InputStream raw = super.getInputStream();
        in =
            !SUPPORTED
                ? raw
                : new FilterInputStream(raw) {
                  @Override
                  public int read() throws IOException {
                    setOption(ExtendedSocketOptions.TCP_QUICKACK, true);
                    return super.read();
                  }

                  @Override
                  public int read(byte[] b, int off, int len) throws IOException {
                    setOption(ExtendedSocketOptions.TCP_QUICKACK, true);
                    return super.read(b, off, len);
                  }
                };
      }
      return in;
    }
  }

  private boolean valid(byte[] staple) {
    OcspResponseInfo info =
        verdicts.computeIfAbsent(
            ByteBuffer.wrap(staple), b -> OcspResponseInfo.parse(staple, issuer, leafSerial));
    return info.valid(Instant.now(), SKEW);
  }
}
