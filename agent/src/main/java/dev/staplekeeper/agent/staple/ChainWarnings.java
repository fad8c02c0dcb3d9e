package dev.staplekeeper.agent.staple;

import dev.staplekeeper.agent.log.AgentLog;
import java.security.cert.X509Certificate;

/**
 * Tells operators, once per certificate, why a chain the server presents cannot be stapled: the
 * certificate comes without its issuer (a leaf-only chain) or is followed by a certificate that did
 * not issue it (another name, or the same name with another key: {@link IssuerCheck}). An OCSP
 * request names the issuer's key, so neither the JDK nor StapleKeeper can ask for (or check) a
 * response; handshakes go on unstapled.
 *
 * <p>Contract: one WARNING per certificate (by issuer name and serial, so copies of one certificate
 * count once), not per handshake; never throws. Only certificates that have a responder are named:
 * the others are never stapled anyway. Remembers at most {@value #REMEMBERED} certificates.
 */
final class ChainWarnings {
  private static final AgentLog log = AgentLog.get(ChainWarnings.class);
  static final int REMEMBERED = 4096;

  /** Certificates already warned about, by object (the handshake path's cheap check). */
  private final WeakIdentityLruMap<X509Certificate, Boolean> seen =
      new WeakIdentityLruMap<>(REMEMBERED);

  /** Certificates already warned about, by issuer and serial. */
  private final LruMap<String, Boolean> warned = new LruMap<>(REMEMBERED, null);

  /** Whether {@code cert} was already looked at as a leaf-only chain (no work, no log). */
  boolean seenLeafOnly(X509Certificate cert) {
    return seen.get(cert) != null;
  }

  /** {@code cert} was presented without the certificate that issued it. */
  void leafOnly(X509Certificate cert, boolean hasResponder) {
    seen.put(cert, Boolean.TRUE);
    if (hasResponder && first(cert)) {
      log.warn(
          "StapleKeeper cannot staple {} (serial {}): the server presents it without its issuer"
              + " certificate ({}), which an OCSP request needs; the JDK cannot staple it either."
              + " Add the issuing CA certificate after it in the server's certificate chain",
          StapleService.subject(cert),
          serial(cert),
          cert.getIssuerX500Principal().getName());
    }
  }

  /**
   * {@code cert} (which has a responder) is followed in the chain by {@code next}, not its issuer;
   * {@code problem} says how ({@link IssuerCheck#problem}).
   */
  void wrongIssuer(X509Certificate cert, X509Certificate next, String problem) {
    if (first(cert)) {
      log.warn(
          "StapleKeeper cannot staple {} (serial {}): the next certificate in the chain, {}, {};"
              + " an OCSP request needs the issuer {} (its name and key), so the JDK cannot staple"
              + " it either. Put the issuing CA certificate right after it in the server's"
              + " certificate chain",
          StapleService.subject(cert),
          serial(cert),
          StapleService.subject(next),
          problem,
          cert.getIssuerX500Principal().getName());
    }
  }

  private boolean first(X509Certificate cert) {
    String key = cert.getIssuerX500Principal().getName() + '#' + serial(cert);
    return warned.putIfAbsent(key, Boolean.TRUE) == null;
  }

  private static String serial(X509Certificate cert) {
    return cert.getSerialNumber().toString(16);
  }
}
