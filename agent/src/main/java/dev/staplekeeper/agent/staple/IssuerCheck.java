package dev.staplekeeper.agent.staple;

import java.security.InvalidKeyException;
import java.security.SignatureException;
import java.security.cert.X509Certificate;

/**
 * Whether the certificate after another in a server's chain is the one that issued it: the OCSP
 * request for a certificate names its issuer's name and key, so a chain whose next certificate is
 * another CA (or another key of a CA with the same name, as after a re-key) cannot be stapled.
 *
 * <p>Contract: {@link #problem} returns null when {@code issuer}'s subject is {@code cert}'s issuer
 * name and {@code cert}'s signature verifies with {@code issuer}'s key, or when the signature
 * cannot be checked in this JVM (an algorithm no installed provider offers: the benefit of the
 * doubt, as before this check); otherwise what is wrong, for a log line. Never throws. Called once
 * per certificate (the answer is cached with its resolution), not per handshake.
 */
final class IssuerCheck {
  private IssuerCheck() {}

  static String problem(X509Certificate cert, X509Certificate issuer) {
    if (!cert.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
      return "is not its issuer";
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
}
