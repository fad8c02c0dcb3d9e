package dev.staplekeeper.testapps.checker;

import dev.staplekeeper.testapps.ocsp.OcspResponseInfo;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The result of one TLS handshake by {@link StapleChecker}: whether the server stapled an OCSP
 * response for its leaf certificate and what that response says.
 *
 * @param at when the handshake finished
 * @param protocol negotiated protocol, e.g. "TLSv1.3"
 * @param handshakeMillis duration of {@code startHandshake()} (TCP connect excluded)
 * @param stapled whether a non-empty response came for the leaf certificate
 * @param responseCount entries of {@code getStatusResponses()} that are non-empty (status_request
 *     gives at most 1; status_request_v2 ocsp_multi and TLS 1.3 may give one per chain certificate)
 * @param responseStatus see {@link OcspResponseInfo#responseStatus()}; null when not stapled
 * @param certStatus "good", "revoked", "unknown", or null (not stapled, not successful, or no
 *     single response for the leaf's CertID)
 * @param certIdMatches whether the response has a single response for the leaf's CertID
 * @param thisUpdate null when not stapled
 * @param nextUpdate null when not stapled or absent
 * @param secondsLeft nextUpdate minus {@code at} in seconds (negative once expired); null if none
 * @param signatureValid signed by the issuer or by a delegated responder certificate issued by the
 *     issuer with id-kp-OCSPSigning
 * @param signer see {@link OcspResponseInfo#signer()}
 * @param httpStatus status of the HTTP GET sent after the handshake, -1 if none came back
 * @param raw the stapled DER for the leaf, empty when not stapled
 */
public record StapleVerdict(
    Instant at,
    String protocol,
    long handshakeMillis,
    boolean stapled,
    int responseCount,
    String responseStatus,
    String certStatus,
    boolean certIdMatches,
    Instant thisUpdate,
    Instant nextUpdate,
    Long secondsLeft,
    boolean signatureValid,
    String signer,
    int httpStatus,
    byte[] raw) {

  /** Clock skew allowed for thisUpdate in {@link #validStaple()}. */
  public static final Duration SKEW = Duration.ofMinutes(5);

  public StapleVerdict {
    raw = raw.clone();
  }

  @Override
  public byte[] raw() {
    return raw.clone();
  }

  /**
   * A staple a client would accept: successful, CertID matches, properly signed, good or revoked,
   * thisUpdate not in the future (5 min skew), nextUpdate present and in the future.
   */
  public boolean validStaple() {
    return stapled
        && "successful".equals(responseStatus)
        && certIdMatches
        && signatureValid
        && ("good".equals(certStatus) || "revoked".equals(certStatus))
        && thisUpdate != null
        && !thisUpdate.isAfter(at.plus(SKEW))
        && nextUpdate != null
        && nextUpdate.isAfter(at);
  }

  /** One line for logs and the CLI. */
  public String line() {
    StringBuilder sb = new StringBuilder();
    sb.append(at.truncatedTo(ChronoUnit.MILLIS))
        .append(' ')
        .append(protocol)
        .append(" handshake=")
        .append(handshakeMillis)
        .append("ms");
    if (!stapled) {
      sb.append(" stapled=no");
    } else {
      sb.append(" stapled=yes valid=")
          .append(validStaple() ? "yes" : "NO")
          .append(" status=")
          .append(responseStatus);
      if ("successful".equals(responseStatus)) {
        sb.append(" cert=")
            .append(certIdMatches ? certStatus : "no-matching-certid")
            .append(" signer=")
            .append(signer)
            .append(" thisUpdate=")
            .append(thisUpdate)
            .append(" nextUpdate=")
            .append(nextUpdate == null ? "absent" : nextUpdate.toString())
            .append(secondsLeft == null ? "" : " left=" + secondsLeft + "s");
      }
      sb.append(" bytes=").append(raw.length);
      if (responseCount > 1) {
        sb.append(" responses=").append(responseCount);
      }
    }
    if (httpStatus != 200) {
      sb.append(" http=").append(httpStatus);
    }
    return sb.toString();
  }
}
