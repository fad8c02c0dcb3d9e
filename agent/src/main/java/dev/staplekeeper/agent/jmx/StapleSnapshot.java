package dev.staplekeeper.agent.jmx;

import java.time.Instant;

/**
 * What StapleKeeper holds for one certificate at one moment, immutable. Times are null when there
 * is none; {@code secondsLeft} is 0 when nothing valid is held.
 */
public final class StapleSnapshot {
  /** GOOD or REVOKED for a held, unexpired response; NONE otherwise. */
  public enum Status {
    NONE,
    GOOD,
    REVOKED
  }

  public final String subject;
  public final String serial;
  public final String issuerKeyId;
  public final String responder;
  public final Status status;
  public final Instant thisUpdate;
  public final Instant nextUpdate;
  public final long secondsLeft;
  public final long validitySeconds;
  public final Instant nextFetch;
  public final int consecutiveFailures;
  public final String lastError;
  public final long lastFetchMillis;
  public final long secondsSinceLastSuccess;
  public final long fetches;

  public StapleSnapshot(
      String subject,
      String serial,
      String issuerKeyId,
      String responder,
      Status status,
      Instant thisUpdate,
      Instant nextUpdate,
      long secondsLeft,
      long validitySeconds,
      Instant nextFetch,
      int consecutiveFailures,
      String lastError,
      long lastFetchMillis,
      long secondsSinceLastSuccess,
      long fetches) {
    this.subject = subject;
    this.serial = serial;
    this.issuerKeyId = issuerKeyId;
    this.responder = responder;
    this.status = status;
    this.thisUpdate = thisUpdate;
    this.nextUpdate = nextUpdate;
    this.secondsLeft = secondsLeft;
    this.validitySeconds = validitySeconds;
    this.nextFetch = nextFetch;
    this.consecutiveFailures = consecutiveFailures;
    this.lastError = lastError;
    this.lastFetchMillis = lastFetchMillis;
    this.secondsSinceLastSuccess = secondsSinceLastSuccess;
    this.fetches = fetches;
  }
}
