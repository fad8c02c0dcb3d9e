package dev.staplekeeper.agent.jmx;

import java.time.Instant;
import java.util.function.Supplier;

/** A {@link StapleMXBean} reading a fresh snapshot of its certificate on every call. */
final class StapleView implements StapleMXBean {
  private final Supplier<StapleSnapshot> snapshot;

  StapleView(Supplier<StapleSnapshot> snapshot) {
    this.snapshot = snapshot;
  }

  private StapleSnapshot s() {
    return snapshot.get();
  }

  private static String iso(Instant t) {
    return t == null ? null : t.toString();
  }

  @Override
  public String getSubject() {
    return s().subject;
  }

  @Override
  public String getSerial() {
    return s().serial;
  }

  @Override
  public String getIssuerKeyId() {
    return s().issuerKeyId;
  }

  @Override
  public String getResponder() {
    return s().responder;
  }

  @Override
  public String getStatus() {
    return s().status.name();
  }

  @Override
  public int getStatusCode() {
    return s().status.ordinal();
  }

  @Override
  public String getThisUpdate() {
    return iso(s().thisUpdate);
  }

  @Override
  public String getNextUpdate() {
    return iso(s().nextUpdate);
  }

  @Override
  public long getSecondsUntilNextUpdate() {
    return s().secondsLeft;
  }

  @Override
  public long getValiditySeconds() {
    return s().validitySeconds;
  }

  @Override
  public long getSecondsSinceLastSuccess() {
    return s().secondsSinceLastSuccess;
  }

  @Override
  public String getNextFetch() {
    return iso(s().nextFetch);
  }

  @Override
  public int getConsecutiveFailures() {
    return s().consecutiveFailures;
  }

  @Override
  public String getLastError() {
    return s().lastError;
  }

  @Override
  public long getLastFetchMillis() {
    return s().lastFetchMillis;
  }
}
