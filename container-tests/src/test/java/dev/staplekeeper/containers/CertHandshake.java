package dev.staplekeeper.containers;

import dev.staplekeeper.testapps.checker.StapleChecker;
import dev.staplekeeper.testapps.ocsp.OcspResponseInfo;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * One handshake with an SNI host name, reduced to what a test of several or changing certificates
 * needs: which certificate the server presented (its serial) and which certificate the stapled
 * response is for (the serial in its CertID), with the response's status and thisUpdate.
 *
 * @param client the client and its choices, e.g. {@code openssl a.test TLSv1.3 ECDSA}
 * @param presented serial of the certificate the server presented; null when the handshake failed
 * @param stapledFor serial in the stapled response's CertID; null when nothing was stapled
 * @param good the stapled response is successful, good, not expired and (for the JDK and gnutls
 *     clients, which check) signed by the presented certificate's issuer
 * @param thisUpdate of the stapled response, null when none
 * @param elapsed the whole client run
 */
record CertHandshake(
    String client,
    BigInteger presented,
    BigInteger stapledFor,
    boolean good,
    Instant thisUpdate,
    Duration elapsed,
    String output) {

  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  /** A good staple for exactly the certificate presented. */
  boolean stapledForPresented() {
    return presented != null && good && presented.equals(stapledFor);
  }

  String summary() {
    return client
        + ": presented="
        + hex(presented)
        + " stapledFor="
        + hex(stapledFor)
        + " good="
        + good
        + " thisUpdate="
        + thisUpdate
        + " in "
        + elapsed.toMillis()
        + " ms";
  }

  @Override
  public String toString() {
    return summary() + "\n--- output ---\n" + output;
  }

  static String hex(BigInteger serial) {
    return serial == null ? "none" : serial.toString(16);
  }

  /**
   * {@code openssl s_client -servername HOST -status}; {@code tls} is {@code -tls1_2} or {@code
   * -tls1_3}; {@code keyType} {@code RSA} or {@code ECDSA} forces the server's certificate through
   * {@code -sigalgs} (TLS 1.3) or {@code -cipher} (TLS 1.2), null leaves the choice to the server.
   */
  static CertHandshake openssl(int port, String host, Path rootPem, String tls, String keyType)
      throws IOException {
    List<String> command = new ArrayList<>(OpenSslClient.command(port, rootPem, tls));
    command.set(command.indexOf("localhost"), host);
    if (keyType != null) {
      // the TLS 1.2 suite also steers Tomcat, which picks a certificate by cipher suite alone
      boolean rsa = keyType.equals("RSA");
      command.addAll(
          List.of(
              "-cipher", rsa ? "ECDHE-RSA-AES128-GCM-SHA256" : "ECDHE-ECDSA-AES128-GCM-SHA256"));
      if (!"-tls1_2".equals(tls)) {
        command.addAll(
            List.of(
                "-sigalgs",
                rsa ? "rsa_pss_rsae_sha256:rsa_pkcs1_sha256" : "ecdsa_secp256r1_sha256"));
      }
    }
    Command.Result result = Command.run(command, TIMEOUT);
    Observation o =
        OpenSslClient.parse(
            "openssl " + host + " " + tls + (keyType == null ? "" : " " + keyType), result);
    String out = result.output();
    BigInteger presented = null;
    // the server certificate follows "Server certificate"; the OCSP response printed before it
    // may hold its signer's certificate in PEM too
    Matcher pem =
        Pattern.compile(
                "(?s)Server certificate\\s*(-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----)")
            .matcher(out);
    if (o.handshakeOk() && pem.find()) {
      presented =
          parseCertificate(pem.group().getBytes(StandardCharsets.US_ASCII)).getSerialNumber();
    }
    Matcher serial = Pattern.compile("Serial Number: ([0-9A-Fa-f]+)").matcher(out);
    BigInteger stapledFor =
        o.stapled() && serial.find() ? new BigInteger(serial.group(1), 16) : null;
    return new CertHandshake(
        o.client(),
        presented,
        stapledFor,
        o.goodStaple(Instant.now()),
        o.thisUpdate(),
        o.elapsed(),
        out);
  }

  /**
   * The JDK client in this JVM with SNI {@code host}; {@code protocol} {@code TLSv1.2} or {@code
   * TLSv1.3}; {@code cipherSuite} (TLS 1.2) picks the key type, null leaves it to the server.
   */
  static CertHandshake jdk(
      int port, String host, X509Certificate root, String protocol, String cipherSuite) {
    String client = "jdk " + host + " " + protocol + (cipherSuite == null ? "" : " " + cipherSuite);
    long t0 = System.nanoTime();
    try (Socket tcp = new Socket()) {
      tcp.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      tcp.setSoTimeout(15_000);
      try (SSLSocket tls =
          (SSLSocket)
              StapleChecker.clientContext(root)
                  .getSocketFactory()
                  .createSocket(tcp, "127.0.0.1", port, false)) {
        SSLParameters params = tls.getSSLParameters();
        params.setServerNames(List.of(new SNIHostName(host)));
        params.setProtocols(new String[] {protocol});
        if (cipherSuite != null) {
          params.setCipherSuites(new String[] {cipherSuite});
        }
        tls.setSSLParameters(params);
        tls.startHandshake();
        ExtendedSSLSession session = (ExtendedSSLSession) tls.getSession();
        var chain = session.getPeerCertificates();
        X509Certificate leaf = (X509Certificate) chain[0];
        X509Certificate issuer = (X509Certificate) chain[1];
        List<byte[]> responses = session.getStatusResponses();
        byte[] staple = responses.isEmpty() ? new byte[0] : responses.get(0);
        return fromDer(client, leaf, issuer, staple, t0, "");
      }
    } catch (IOException | RuntimeException e) {
      return new CertHandshake(client, null, null, false, null, since(t0), e.toString());
    }
  }

  /** {@code gnutls-cli --sni-hostname=HOST --ocsp}, which checks the staple itself. */
  static CertHandshake gnutls(int port, String host, Path rootPem, String priority)
      throws IOException {
    Path certs = Files.createTempFile("staplekeeper-gnutls", ".pem");
    Path ocsp = Files.createTempFile("staplekeeper-gnutls", ".der");
    try {
      List<String> command = new ArrayList<>(GnutlsClient.command(port, rootPem, ocsp, priority));
      command.replaceAll(
          arg -> arg.equals("--sni-hostname=localhost") ? "--sni-hostname=" + host : arg);
      command.add(command.size() - 1, "--save-cert=" + certs);
      long t0 = System.nanoTime();
      Command.Result result = Command.run(command, TIMEOUT);
      String client = "gnutls " + host + (priority == null ? "" : " " + priority);
      List<X509Certificate> chain = parseCertificates(Files.readAllBytes(certs));
      if (result.exitCode() != 0 || chain.size() < 2) {
        return new CertHandshake(client, null, null, false, null, since(t0), result.output());
      }
      return fromDer(
          client, chain.get(0), chain.get(1), Files.readAllBytes(ocsp), t0, result.output());
    } finally {
      Files.deleteIfExists(certs);
      Files.deleteIfExists(ocsp);
    }
  }

  private static CertHandshake fromDer(
      String client,
      X509Certificate leaf,
      X509Certificate issuer,
      byte[] staple,
      long t0,
      String output) {
    if (staple.length == 0) {
      return new CertHandshake(
          client, leaf.getSerialNumber(), null, false, null, since(t0), output + " no staple");
    }
    OcspResponseInfo info = OcspResponseInfo.parse(staple, issuer, leaf.getSerialNumber());
    BigInteger stapledFor = stapledSerial(staple);
    boolean good =
        info.signatureValid()
            && "successful".equals(info.responseStatus())
            && "good".equals(info.certStatus())
            && info.nextUpdate() != null
            && info.nextUpdate().isAfter(Instant.now());
    return new CertHandshake(
        client,
        leaf.getSerialNumber(),
        stapledFor,
        good,
        info.thisUpdate(),
        since(t0),
        output + " " + info);
  }

  private static BigInteger stapledSerial(byte[] der) {
    try {
      var basic =
          (org.bouncycastle.cert.ocsp.BasicOCSPResp)
              new org.bouncycastle.cert.ocsp.OCSPResp(der).getResponseObject();
      return basic.getResponses()[0].getCertID().getSerialNumber();
    } catch (Exception | LinkageError e) {
      return null;
    }
  }

  private static Duration since(long t0) {
    return Duration.ofNanos(System.nanoTime() - t0);
  }

  static X509Certificate parseCertificate(byte[] encoded) {
    List<X509Certificate> certs = parseCertificates(encoded);
    return certs.isEmpty() ? null : certs.get(0);
  }

  static List<X509Certificate> parseCertificates(byte[] encoded) {
    try {
      List<X509Certificate> out = new ArrayList<>();
      for (var c :
          CertificateFactory.getInstance("X.509")
              .generateCertificates(new ByteArrayInputStream(encoded))) {
        out.add((X509Certificate) c);
      }
      return out;
    } catch (CertificateException e) {
      return List.of();
    }
  }
}
