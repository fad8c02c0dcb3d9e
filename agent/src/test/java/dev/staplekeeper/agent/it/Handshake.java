package dev.staplekeeper.agent.it;

import dev.staplekeeper.testapps.pki.TestPki;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;

/**
 * One real TLS handshake with the JDK client asking for a staple (status_request, and in TLS 1.2
 * also status_request_v2 as the JDK client sends both), and what came back, judged independently of
 * StapleKeeper's own validator.
 */
final class Handshake {
  /** What a client saw. {@code der} is null when no staple came. */
  record Result(
      String protocol,
      long millis,
      byte[] der,
      String responseStatus,
      String certStatus,
      Instant thisUpdate,
      Instant nextUpdate,
      boolean signatureValid) {

    boolean stapled() {
      return der != null;
    }

    /** A staple a client accepts: successful, good, signed by the CA's responder, unexpired. */
    boolean goodAndValidAt(Instant now) {
      return stapled()
          && "successful".equals(responseStatus)
          && "good".equals(certStatus)
          && signatureValid
          && nextUpdate != null
          && nextUpdate.isAfter(now);
    }

    @Override
    public String toString() {
      return protocol
          + " "
          + millis
          + "ms "
          + (stapled()
              ? responseStatus
                  + "/"
                  + certStatus
                  + " thisUpdate="
                  + thisUpdate
                  + " nextUpdate="
                  + nextUpdate
                  + " sig="
                  + signatureValid
              : "NO STAPLE");
    }
  }

  private Handshake() {}

  static SSLContext clientContext(TestPki pki) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("root", pki.root());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }

  static Result run(SSLContext ctx, TestPki pki, int port, String protocol) throws Exception {
    long start = System.nanoTime();
    try (SSLSocket socket = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port)) {
      socket.setSoTimeout(30_000);
      SSLParameters params = socket.getSSLParameters();
      params.setProtocols(new String[] {protocol});
      socket.setSSLParameters(params);
      socket.startHandshake();
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      socket.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      try (InputStream in = socket.getInputStream()) {
        in.readAllBytes();
      } catch (IOException ignored) {
        // the page is not what this checks
      }
      List<byte[]> staples = ((ExtendedSSLSession) socket.getSession()).getStatusResponses();
      byte[] der = staples.isEmpty() || staples.get(0).length == 0 ? null : staples.get(0);
      return judge(protocol, millis, der, pki);
    }
  }

  static Result judge(String protocol, long millis, byte[] der, TestPki pki) throws Exception {
    if (der == null) {
      return new Result(protocol, millis, null, null, null, null, null, false);
    }
    OCSPResp resp = new OCSPResp(der);
    String status = resp.getStatus() == 0 ? "successful" : "status " + resp.getStatus();
    if (resp.getStatus() != 0) {
      return new Result(protocol, millis, der, status, null, null, null, false);
    }
    BasicOCSPResp basic = (BasicOCSPResp) resp.getResponseObject();
    SingleResp single = basic.getResponses()[0];
    CertificateStatus cs = single.getCertStatus();
    String certStatus =
        cs == CertificateStatus.GOOD ? "good" : cs instanceof RevokedStatus ? "revoked" : "unknown";
    boolean sig = verifies(basic, pki.intermediate()) || verifies(basic, pki.ocspSigner());
    return new Result(
        protocol,
        millis,
        der,
        status,
        certStatus,
        single.getThisUpdate().toInstant(),
        single.getNextUpdate() == null ? null : single.getNextUpdate().toInstant(),
        sig);
  }

  private static boolean verifies(BasicOCSPResp basic, X509Certificate signer) {
    try {
      return basic.isSignatureValid(
          new JcaContentVerifierProviderBuilder()
              .build(new X509CertificateHolder(signer.getEncoded())));
    } catch (Exception e) {
      return false;
    }
  }
}
