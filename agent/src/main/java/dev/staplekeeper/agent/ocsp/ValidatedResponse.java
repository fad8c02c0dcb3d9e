package dev.staplekeeper.agent.ocsp;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * An OCSP response that passed {@link ResponseValidator}: successful, for the expected CertID,
 * correctly signed, with a {@code good} or {@code revoked} certStatus and a nextUpdate. Immutable;
 * {@link #der()} is the exact encoding that goes into the handshake.
 */
public final class ValidatedResponse {
  /** The certStatus of a response StapleKeeper accepts; {@code unknown} is never accepted. */
  public enum Status {
    GOOD,
    REVOKED
  }

  private final byte[] der;
  private final CertId certId;
  private final Status status;
  private final Instant thisUpdate;
  private final Instant nextUpdate;
  private final Instant producedAt;
  private final Instant revocationTime;

  public ValidatedResponse(
      byte[] der,
      CertId certId,
      Status status,
      Instant thisUpdate,
      Instant nextUpdate,
      Instant producedAt,
      Instant revocationTime) {
    this.der = Objects.requireNonNull(der, "der");
    this.certId = Objects.requireNonNull(certId, "certId");
    this.status = Objects.requireNonNull(status, "status");
    this.thisUpdate = Objects.requireNonNull(thisUpdate, "thisUpdate");
    this.nextUpdate = Objects.requireNonNull(nextUpdate, "nextUpdate");
    this.producedAt = producedAt;
    this.revocationTime = revocationTime;
  }

  /** The DER bytes to staple. Callers must not modify the array. */
  public byte[] der() {
    return der;
  }

  public CertId certId() {
    return certId;
  }

  public Status status() {
    return status;
  }

  public Instant thisUpdate() {
    return thisUpdate;
  }

  public Instant nextUpdate() {
    return nextUpdate;
  }

  /** May be null if unknown. */
  public Instant producedAt() {
    return producedAt;
  }

  /** Null unless {@link #status()} is {@link Status#REVOKED}. */
  public Instant revocationTime() {
    return revocationTime;
  }

  /** The thisUpdate..nextUpdate window. */
  public Duration validity() {
    return Duration.between(thisUpdate, nextUpdate);
  }

  /** True while {@code now} is before nextUpdate: the response may be stapled. */
  public boolean isUsableAt(Instant now) {
    return now.isBefore(nextUpdate);
  }

  @Override
  public String toString() {
    return status
        + " thisUpdate="
        + thisUpdate
        + " nextUpdate="
        + nextUpdate
        + (revocationTime != null ? " revoked=" + revocationTime : "");
  }
}
