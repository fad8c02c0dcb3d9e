package dev.staplekeeper.containers;

import java.time.Duration;
import java.time.Instant;

/**
 * What one client saw in one handshake.
 *
 * @param client which client, e.g. {@code openssl TLSv1.3}
 * @param handshakeOk the handshake completed and the certificate chain verified
 * @param stapled a status response was stapled
 * @param responseStatus OCSP response status as the client printed it, e.g. {@code successful}
 * @param certStatus certificate status, e.g. {@code good}; null when not stapled
 * @param thisUpdate thisUpdate of the stapled response; null when not stapled
 * @param nextUpdate nextUpdate of the stapled response; null when not stapled or absent
 * @param verified whether the client checked the response's signature and CertID and found them
 *     right; null for a client that does not check ({@code openssl s_client})
 * @param elapsed wall time of the whole client run (process start to exit for the command-line
 *     clients, so it includes their start-up)
 * @param output the client's output, for failure messages
 */
record Observation(
    String client,
    boolean handshakeOk,
    boolean stapled,
    String responseStatus,
    String certStatus,
    Instant thisUpdate,
    Instant nextUpdate,
    Boolean verified,
    Duration elapsed,
    String output) {

  /** Stapled, successful, good, not past nextUpdate and, where the client checks, verified. */
  boolean goodStaple(Instant now) {
    return handshakeOk
        && stapled
        && !Boolean.FALSE.equals(verified)
        && "successful".equalsIgnoreCase(responseStatus)
        && "good".equalsIgnoreCase(certStatus)
        && nextUpdate != null
        && nextUpdate.isAfter(now);
  }

  String summary() {
    return client
        + ": handshake="
        + handshakeOk
        + " stapled="
        + stapled
        + " status="
        + responseStatus
        + " cert="
        + certStatus
        + " thisUpdate="
        + thisUpdate
        + " nextUpdate="
        + nextUpdate
        + (verified == null ? "" : " verified=" + verified)
        + " in "
        + elapsed.toMillis()
        + " ms";
  }

  @Override
  public String toString() {
    return summary() + "\n--- output ---\n" + output;
  }
}
