package dev.staplekeeper.testapps.pki;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** PEM encoding of certificates and PKCS#8 private keys, and PEM certificate reading. */
public final class Pem {
  private Pem() {}

  public static String certificate(X509Certificate cert) {
    try {
      return block("CERTIFICATE", cert.getEncoded());
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String certificates(X509Certificate... certs) {
    StringBuilder sb = new StringBuilder();
    for (X509Certificate cert : certs) {
      sb.append(certificate(cert));
    }
    return sb.toString();
  }

  /** PKCS#8 ({@code BEGIN PRIVATE KEY}); the JDK encodes RSA and EC private keys as PKCS#8. */
  public static String privateKey(PrivateKey key) {
    return block("PRIVATE KEY", key.getEncoded());
  }

  public static String block(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  /** Reads every certificate of a PEM (or DER) file. */
  public static List<X509Certificate> readCertificates(Path file) throws IOException {
    try {
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      List<X509Certificate> out = new ArrayList<>();
      for (var c : cf.generateCertificates(new ByteArrayInputStream(Files.readAllBytes(file)))) {
        out.add((X509Certificate) c);
      }
      if (out.isEmpty()) {
        throw new IOException("no certificate in " + file);
      }
      return out;
    } catch (CertificateException e) {
      throw new IOException("cannot read certificates from " + file + ": " + e.getMessage(), e);
    }
  }

  /** Reads the first certificate of a PEM (or DER) file. */
  public static X509Certificate readCertificate(Path file) throws IOException {
    return readCertificates(file).get(0);
  }

  static void write(Path file, String text) throws IOException {
    Files.writeString(file, text, StandardCharsets.US_ASCII);
  }
}
