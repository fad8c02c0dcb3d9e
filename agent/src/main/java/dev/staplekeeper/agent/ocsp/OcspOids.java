package dev.staplekeeper.agent.ocsp;

/** The OCSP object identifiers (RFC 6960, RFC 8954) StapleKeeper reads and writes. */
final class OcspOids {
  /** id-pkix-ocsp-basic: the response type of a BasicOCSPResponse. */
  static final String BASIC = "1.3.6.1.5.5.7.48.1.1";

  /** id-pkix-ocsp-nonce: the nonce extension of requests and responses. */
  static final String NONCE = "1.3.6.1.5.5.7.48.1.2";

  /** id-ad-ocsp: the Authority Information Access method naming an OCSP responder. */
  static final String ACCESS_METHOD = "1.3.6.1.5.5.7.48.1";

  private OcspOids() {}
}
