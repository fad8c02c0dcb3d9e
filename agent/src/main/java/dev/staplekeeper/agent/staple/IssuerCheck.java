package dev.staplekeeper.agent.staple;

import dev.staplekeeper.agent.asn1.Asn1Exception;
import dev.staplekeeper.agent.asn1.Tlv;
import java.security.InvalidKeyException;
import java.security.SignatureException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;

/**
 * Whether the certificate after another in a server's chain is the one that issued it: the OCSP
 * request for a certificate names its issuer's name and key, so a chain whose next certificate is
 * another CA (or another key of a CA with the same name, as after a re-key) cannot be stapled.
 *
 * <p>Contract: {@link #problem} returns null when {@code issuer}'s subject is {@code cert}'s issuer
 * name and either {@code cert}'s authority key identifier equals {@code issuer}'s subject key
 * identifier (the identifiers CAs put in every certificate, so that a chain's next certificate is
 * recognised without a signature check: the OCSP response's own signature, checked against {@code
 * issuer}'s key, is what proves the key) or, when either is missing or they differ, {@code cert}'s
 * signature verifies with {@code issuer}'s key, or the signature cannot be checked in this JVM (an
 * algorithm no installed provider offers: the benefit of the doubt, as before this check);
 * otherwise what is wrong, for a log line. Never throws. Called once per certificate (the answer is
 * cached with its resolution), not per handshake.
 */
final class IssuerCheck {
  private IssuerCheck() {}

  static String problem(X509Certificate cert, X509Certificate issuer) {
    if (!cert.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
      return "is not its issuer";
    }
    if (keyIdentifiersMatch(cert, issuer)) {
      return null;
    }
    try {
      cert.verify(issuer.getPublicKey());
      return null;
    } catch (SignatureException | InvalidKeyException e) {
      return "has its issuer's name but another key (the certificate's signature does not verify with it)";
    } catch (java.security.GeneralSecurityException | RuntimeException e) {
      return null; // cannot tell here (no provider for the algorithm): leave it to the responder
    }
  }

  /** Whether cert's authorityKeyIdentifier keyIdentifier equals issuer's subjectKeyIdentifier. */
  static boolean keyIdentifiersMatch(X509Certificate cert, X509Certificate issuer) {
    byte[] aki = cert.getExtensionValue("2.5.29.35");
    byte[] ski = issuer.getExtensionValue("2.5.29.14");
    if (aki == null || ski == null) {
      return false;
    }
    try {
      byte[] issuerKeyId =
          Tlv.parseExtensionValue(ski, "subjectKeyIdentifier").octetString("subjectKeyIdentifier");
      List<Tlv> fields =
          Tlv.parseExtensionValue(aki, "authorityKeyIdentifier")
              .children(Tlv.SEQUENCE, "authorityKeyIdentifier");
      // keyIdentifier [0] IMPLICIT KeyIdentifier OPTIONAL: the first field, when present
      return !fields.isEmpty()
          && fields.get(0).tag() == 0x80
          && issuerKeyId.length > 0
          && Arrays.equals(fields.get(0).octets("keyIdentifier"), issuerKeyId);
    } catch (Asn1Exception e) {
      return false; // not what the extensions should be: the signature decides
    }
  }
}
