package dev.staplekeeper.agent.staple;

import dev.staplekeeper.agent.ocsp.ValidatedResponse;
import java.time.Instant;
import java.util.Objects;

/**
 * The newest state StapleKeeper has accepted for one certificate: the thisUpdate of the newest
 * accepted response and whether it said revoked. It only ever rises (see {@link RevocationGuard})
 * and is not tied to the validity of the response that set it: it still holds once that response
 * has expired or was removed from the store.
 *
 * <p>Order: a later thisUpdate is higher; at the same thisUpdate, revoked is higher than good.
 */
public final class HighWaterMark {
  private final Instant thisUpdate;
  private final boolean revoked;
  private final Instant revocationTime;

  /**
   * @param revocationTime when {@code revoked}, the revocation time if known (may be null)
   */
  public HighWaterMark(Instant thisUpdate, boolean revoked, Instant revocationTime) {
    this.thisUpdate = Objects.requireNonNull(thisUpdate, "thisUpdate");
    this.revoked = revoked;
    this.revocationTime = revoked ? revocationTime : null;
  }

  /** The mark a response sets once accepted. */
  public static HighWaterMark of(ValidatedResponse r) {
    return new HighWaterMark(
        r.thisUpdate(), r.status() == ValidatedResponse.Status.REVOKED, r.revocationTime());
  }

  public Instant thisUpdate() {
    return thisUpdate;
  }

  public boolean revoked() {
    return revoked;
  }

  /** The revocation time of a revoked mark, or null. */
  public Instant revocationTime() {
    return revocationTime;
  }

  /** True when this mark is strictly above {@code other} (always above null). */
  public boolean isAbove(HighWaterMark other) {
    if (other == null) {
      return true;
    }
    int c = thisUpdate.compareTo(other.thisUpdate);
    return c > 0 || (c == 0 && revoked && !other.revoked);
  }

  /** The higher of two marks, either may be null. */
  public static HighWaterMark max(HighWaterMark a, HighWaterMark b) {
    return a == null || (b != null && b.isAbove(a)) ? b : a;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof HighWaterMark)) {
      return false;
    }
    HighWaterMark m = (HighWaterMark) o;
    return thisUpdate.equals(m.thisUpdate)
        && revoked == m.revoked
        && Objects.equals(revocationTime, m.revocationTime);
  }

  @Override
  public int hashCode() {
    return Objects.hash(thisUpdate, revoked, revocationTime);
  }

  @Override
  public String toString() {
    return (revoked ? "REVOKED" : "GOOD")
        + " thisUpdate="
        + thisUpdate
        + (revocationTime != null ? " revoked=" + revocationTime : "");
  }
}
