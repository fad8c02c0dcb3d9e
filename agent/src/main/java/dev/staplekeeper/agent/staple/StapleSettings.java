package dev.staplekeeper.agent.staple;

import java.time.Duration;
import java.util.Objects;

/**
 * What the stapling policy needs to know, and nothing else: the core's own settings, independent of
 * how they were configured. The agent fills it from its validated configuration (which owns the
 * defaults and ranges); tests and benchmarks fill it directly. Immutable; every field must be set.
 */
public final class StapleSettings {
  private final double refreshFraction;
  private final double refreshJitter;
  private final Duration retryInitialBackoff;
  private final Duration retryMaxBackoff;
  private final Duration missRetryMaxBackoff;
  private final Duration missRetryInterval;
  private final int fetchConcurrency;
  private final Duration coldWait;
  private final int cacheSize;
  private final Duration retireAfter;
  private final boolean stapleRevoked;

  private StapleSettings(Builder b) {
    if (!(b.refreshFraction > 0 && b.refreshFraction < 1) || !(b.refreshJitter >= 0)) {
      throw new IllegalArgumentException(
          "refreshFraction " + b.refreshFraction + ", refreshJitter " + b.refreshJitter);
    }
    if (b.cacheSize < 1) {
      throw new IllegalArgumentException("cacheSize " + b.cacheSize);
    }
    if (b.fetchConcurrency < 2) {
      throw new IllegalArgumentException("fetchConcurrency " + b.fetchConcurrency);
    }
    refreshFraction = b.refreshFraction;
    refreshJitter = b.refreshJitter;
    retryInitialBackoff = Objects.requireNonNull(b.retryInitialBackoff, "retryInitialBackoff");
    retryMaxBackoff = Objects.requireNonNull(b.retryMaxBackoff, "retryMaxBackoff");
    missRetryMaxBackoff = Objects.requireNonNull(b.missRetryMaxBackoff, "missRetryMaxBackoff");
    missRetryInterval = Objects.requireNonNull(b.missRetryInterval, "missRetryInterval");
    fetchConcurrency = b.fetchConcurrency;
    coldWait = Objects.requireNonNull(b.coldWait, "coldWait");
    cacheSize = b.cacheSize;
    retireAfter = Objects.requireNonNull(b.retireAfter, "retireAfter");
    stapleRevoked = Objects.requireNonNull(b.stapleRevoked, "stapleRevoked");
  }

  /** Point of a response's validity window at which a fresher one is fetched. */
  public double refreshFraction() {
    return refreshFraction;
  }

  /** Random share of the window by which each refresh is moved earlier. */
  public double refreshJitter() {
    return refreshJitter;
  }

  /** Wait before the first retry; doubles with each further failure. */
  public Duration retryInitialBackoff() {
    return retryInitialBackoff;
  }

  /** Cap of the retry backoff. */
  public Duration retryMaxBackoff() {
    return retryMaxBackoff;
  }

  /** Cap of the retry backoff while nothing valid is held. */
  public Duration missRetryMaxBackoff() {
    return missRetryMaxBackoff;
  }

  /** Least time between two fetches a handshake that finds nothing to staple may start. */
  public Duration missRetryInterval() {
    return missRetryInterval;
  }

  /** Most fetches in flight at once; one responder host gets at most half of them. */
  public int fetchConcurrency() {
    return fetchConcurrency;
  }

  /** Idle time after which a certificate no context presents is let go; zero: its validity. */
  public Duration retireAfter() {
    return retireAfter;
  }

  /** Longest wait of a handshake for a certificate's first response. */
  public Duration coldWait() {
    return coldWait;
  }

  /** Most certificates tracked at once. */
  public int cacheSize() {
    return cacheSize;
  }

  /** Whether a valid revoked response is stapled. */
  public boolean stapleRevoked() {
    return stapleRevoked;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A copy to change some fields of. */
  public Builder toBuilder() {
    return new Builder()
        .refreshFraction(refreshFraction)
        .refreshJitter(refreshJitter)
        .retryInitialBackoff(retryInitialBackoff)
        .retryMaxBackoff(retryMaxBackoff)
        .missRetryMaxBackoff(missRetryMaxBackoff)
        .missRetryInterval(missRetryInterval)
        .fetchConcurrency(fetchConcurrency)
        .coldWait(coldWait)
        .cacheSize(cacheSize)
        .retireAfter(retireAfter)
        .stapleRevoked(stapleRevoked);
  }

  /** Fills the settings by name; {@link #build} fails on any field left unset. */
  public static final class Builder {
    private double refreshFraction = Double.NaN;
    private double refreshJitter = Double.NaN;
    private Duration retryInitialBackoff;
    private Duration retryMaxBackoff;
    private Duration missRetryMaxBackoff;
    private Duration missRetryInterval;
    private int fetchConcurrency;
    private Duration coldWait;
    private int cacheSize;
    private Duration retireAfter;
    private Boolean stapleRevoked;

    private Builder() {}

    public Builder refreshFraction(double v) {
      refreshFraction = v;
      return this;
    }

    public Builder refreshJitter(double v) {
      refreshJitter = v;
      return this;
    }

    public Builder retryInitialBackoff(Duration v) {
      retryInitialBackoff = v;
      return this;
    }

    public Builder retryMaxBackoff(Duration v) {
      retryMaxBackoff = v;
      return this;
    }

    public Builder missRetryMaxBackoff(Duration v) {
      missRetryMaxBackoff = v;
      return this;
    }

    public Builder missRetryInterval(Duration v) {
      missRetryInterval = v;
      return this;
    }

    public Builder fetchConcurrency(int v) {
      fetchConcurrency = v;
      return this;
    }

    public Builder retireAfter(Duration v) {
      retireAfter = v;
      return this;
    }

    public Builder coldWait(Duration v) {
      coldWait = v;
      return this;
    }

    public Builder cacheSize(int v) {
      cacheSize = v;
      return this;
    }

    public Builder stapleRevoked(boolean v) {
      stapleRevoked = v;
      return this;
    }

    public StapleSettings build() {
      return new StapleSettings(this);
    }
  }
}
