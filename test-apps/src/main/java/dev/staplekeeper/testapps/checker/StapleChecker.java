package dev.staplekeeper.testapps.checker;

import dev.staplekeeper.testapps.ocsp.OcspResponseInfo;
import dev.staplekeeper.testapps.pki.TestPki;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * A JDK TLS client that reports the OCSP staple a server sends: one full handshake per check (a
 * fresh SSLContext each time, so no session is resumed and the server has to staple again).
 *
 * <p>The JDK client asks for stapling when {@code jdk.tls.client.enableStatusRequestExtension} is
 * true (the default; set explicitly here). It then sends status_request, and in addition
 * status_request_v2 (one ocsp_multi item, empty responder list) whenever TLS 1.2 or older is
 * enabled; {@code -Djdk.tls.client.disableExtensions=status_request_v2} (or {@code status_request})
 * removes one of them, for the whole JVM, read once.
 */
public final class StapleChecker {
  static final int CONNECT_TIMEOUT_MILLIS = 5_000;
  static final int READ_TIMEOUT_MILLIS = 15_000;

  private StapleChecker() {}

  /**
   * One handshake to {@code host:port}.
   *
   * @param protocol "TLSv1.2" or "TLSv1.3", or null for the JDK default (both enabled)
   * @param issuer issuer of the server certificate (for the CertID and the signature check); null =
   *     the second certificate the server sends
   * @param trustRoot the root the server chain must lead to
   * @throws IOException when the connection or the handshake fails
   */
  public static StapleVerdict check(
      String host, int port, String protocol, X509Certificate issuer, X509Certificate trustRoot)
      throws IOException {
    if (System.getProperty("jdk.tls.client.enableStatusRequestExtension") == null) {
      System.setProperty("jdk.tls.client.enableStatusRequestExtension", "true");
    }
    SSLContext context = clientContext(trustRoot);
    try (Socket tcp = new Socket()) {
      tcp.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MILLIS);
      tcp.setSoTimeout(READ_TIMEOUT_MILLIS);
      try (SSLSocket tls =
          (SSLSocket) context.getSocketFactory().createSocket(tcp, host, port, false)) {
        if (protocol != null) {
          tls.setEnabledProtocols(new String[] {protocol});
        }
        long t0 = System.nanoTime();
        tls.startHandshake();
        long millis = (System.nanoTime() - t0) / 1_000_000;
        Instant at = Instant.now();
        ExtendedSSLSession session = (ExtendedSSLSession) tls.getSession();
        Certificate[] chain = session.getPeerCertificates();
        X509Certificate leaf = (X509Certificate) chain[0];
        X509Certificate iss =
            issuer != null ? issuer : chain.length > 1 ? (X509Certificate) chain[1] : null;
        List<byte[]> responses = session.getStatusResponses();
        int nonEmpty = 0;
        for (byte[] r : responses) {
          nonEmpty += r != null && r.length > 0 ? 1 : 0;
        }
        byte[] staple =
            responses.isEmpty() || responses.get(0) == null ? new byte[0] : responses.get(0);
        int http = httpGet(tls, host);
        return result(at, session.getProtocol(), millis, nonEmpty, staple, leaf, iss, http);
      }
    }
  }

  /** One handshake with the PKI's intermediate as issuer and its root as trust anchor. */
  public static StapleVerdict check(String host, int port, String protocol, TestPki pki)
      throws IOException {
    return check(host, port, protocol, pki.intermediate(), pki.root());
  }

  static StapleVerdict result(
      Instant at,
      String protocol,
      long millis,
      int responseCount,
      byte[] staple,
      X509Certificate leaf,
      X509Certificate issuer,
      int http) {
    if (staple.length == 0) {
      return new StapleVerdict(
          at,
          protocol,
          millis,
          false,
          responseCount,
          null,
          null,
          false,
          null,
          null,
          null,
          false,
          null,
          http,
          staple);
    }
    if (issuer == null) {
      throw new IllegalStateException("no issuer certificate to check the staple against");
    }
    OcspResponseInfo info = OcspResponseInfo.parse(staple, issuer, leaf.getSerialNumber());
    return new StapleVerdict(
        at,
        protocol,
        millis,
        true,
        responseCount,
        info.responseStatus(),
        info.certStatus(),
        info.certIdMatches(),
        info.thisUpdate(),
        info.nextUpdate(),
        info.secondsLeft(at),
        info.signatureValid(),
        info.signer(),
        http,
        staple);
  }

  private static int httpGet(SSLSocket tls, String host) {
    try {
      OutputStream out = tls.getOutputStream();
      out.write(
          ("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = tls.getInputStream();
      StringBuilder line = new StringBuilder();
      int b;
      while ((b = in.read()) >= 0 && b != '\n' && line.length() < 200) {
        line.append((char) b);
      }
      String[] parts = line.toString().split(" ");
      return parts.length >= 2 ? Integer.parseInt(parts[1]) : -1;
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
  }

  /** A client SSLContext that trusts only {@code trustRoot}. */
  public static SSLContext clientContext(X509Certificate trustRoot) throws IOException {
    try {
      KeyStore ts = KeyStore.getInstance(KeyStore.getDefaultType());
      ts.load(null, null);
      ts.setCertificateEntry("root", trustRoot);
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ts);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot build the client SSLContext: " + e.getMessage(), e);
    }
  }
}
