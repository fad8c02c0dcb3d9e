package dev.staplekeeper.agent.ocsp;

import dev.staplekeeper.agent.asn1.Asn1Exception;
import dev.staplekeeper.agent.asn1.Der;
import dev.staplekeeper.agent.asn1.Tlv;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import javax.security.auth.x500.X500Principal;

/**
 * The fields of an X.509 {@code tbsCertificate} (RFC 5280 section 4.1) that OCSP needs: issuer,
 * subject and the subjectPublicKey bits, read from the certificate's own bytes (a CertID's
 * issuerKeyHash and a ResponderID byKey hash the key exactly as the certificate encodes it).
 *
 * <p>Contract: the readers return the fields or throw {@link Asn1Exception}; they read structure
 * only and do not check the certificate's signature or validity.
 */
final class TbsCertificate {
  private final Tlv issuer;
  private final Tlv subject;
  private final Tlv subjectPublicKeyInfo;

  private TbsCertificate(Tlv issuer, Tlv subject, Tlv subjectPublicKeyInfo) {
    this.issuer = issuer;
    this.subject = subject;
    this.subjectPublicKeyInfo = subjectPublicKeyInfo;
  }

  static TbsCertificate of(X509Certificate cert) throws Asn1Exception {
    try {
      return read(Tlv.parse(cert.getTBSCertificate(), "tbsCertificate"));
    } catch (CertificateEncodingException e) {
      throw new Asn1Exception("cannot encode the certificate: " + e.getMessage());
    }
  }

  /** The tbsCertificate of an encoded {@code Certificate}. */
  static TbsCertificate ofCertificate(Tlv certificate) throws Asn1Exception {
    List<Tlv> fields = certificate.children(Tlv.SEQUENCE, "Certificate");
    if (fields.isEmpty()) {
      throw new Asn1Exception("empty Certificate");
    }
    return read(fields.get(0));
  }

  private static TbsCertificate read(Tlv tbs) throws Asn1Exception {
    List<Tlv> fields = tbs.children(Tlv.SEQUENCE, "tbsCertificate");
    int offset =
        !fields.isEmpty() && fields.get(0).tag() == (Tlv.CONTEXT | Tlv.CONSTRUCTED) ? 1 : 0;
    // serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo
    if (fields.size() < offset + 6) {
      throw new Asn1Exception("tbsCertificate has " + fields.size() + " fields");
    }
    return new TbsCertificate(
        fields.get(offset + 2), fields.get(offset + 4), fields.get(offset + 5));
  }

  /**
   * Null when the certificate's outer signatureAlgorithm is exactly the signature field of its
   * tbsCertificate and its signatureValue is whole bytes (RFC 5280 sections 4.1.1.2 and 4.1.1.3);
   * else what is wrong. Neither is covered by the certificate's signature and the JDK's verifier
   * tolerates both, but a client that reads them strictly rejects the staple.
   */
  static String signatureFieldsProblem(Tlv certificate) {
    try {
      List<Tlv> fields = certificate.children(Tlv.SEQUENCE, "Certificate");
      if (fields.size() != 3) {
        return "it has " + fields.size() + " fields; expected 3";
      }
      List<Tlv> tbs = fields.get(0).children(Tlv.SEQUENCE, "tbsCertificate");
      int offset = !tbs.isEmpty() && tbs.get(0).tag() == (Tlv.CONTEXT | Tlv.CONSTRUCTED) ? 1 : 0;
      if (tbs.size() < offset + 2
          || !Arrays.equals(Der.reencode(tbs.get(offset + 1)), Der.reencode(fields.get(1)))) {
        return "its signatureAlgorithm differs from the signature field of its tbsCertificate";
      }
      fields.get(2).bitStringBytes("signatureValue");
      return null;
    } catch (Asn1Exception e) {
      return "it is malformed: " + e.getMessage();
    }
  }

  X500Principal issuer() throws Asn1Exception {
    return ResponseData.principal(issuer);
  }

  X500Principal subject() throws Asn1Exception {
    return ResponseData.principal(subject);
  }

  /** The subjectPublicKey BIT STRING value. */
  byte[] subjectPublicKey() throws Asn1Exception {
    List<Tlv> spki = subjectPublicKeyInfo.children(Tlv.SEQUENCE, "subjectPublicKeyInfo");
    if (spki.size() != 2) {
      throw new Asn1Exception("subjectPublicKeyInfo has " + spki.size() + " fields; expected 2");
    }
    return spki.get(1).bitStringBytes("subjectPublicKey");
  }
}
