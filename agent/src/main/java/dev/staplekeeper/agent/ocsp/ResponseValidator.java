package dev.staplekeeper.agent.ocsp;

import java.security.cert.X509Certificate;
import java.time.Instant;

/** Placeholder: implemented in the ocsp work. Validates an OCSP response before it is cached. */
public final class ResponseValidator {
  public ResponseValidator(java.time.Duration maxClockSkew) {}

  /**
   * Validates {@code der} as the response for {@code id} issued by {@code issuer} at {@code now}.
   *
   * @throws InvalidResponseException with a message fit for an operator's log line
   */
  public ValidatedResponse validate(byte[] der, CertId id, X509Certificate issuer, Instant now)
      throws InvalidResponseException {
    throw new InvalidResponseException("not implemented");
  }
}
