package dev.staplekeeper.agent.staple;

import dev.staplekeeper.agent.ocsp.CertId;
import dev.staplekeeper.agent.ocsp.ValidatedResponse;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What StapleKeeper knows about one certificate: the last good response (kept until a fresher good
 * one replaces it, and served only before its nextUpdate), its {@link HighWaterMark} (the newest
 * state accepted, which only rises), the single fetch that may be in flight, and the failure streak
 * that drives the backoff.
 *
 * <p>Thread safety: the handshake path reads only the volatile {@link #current}; everything else is
 * written by the one fetch in flight (guarded by {@link #fetching}) or under the entry's lock.
 */
public final class StapleEntry {
  final CertId id;
  final X509Certificate cert;
  final X509Certificate issuer;
  final URI responder;

  private volatile ValidatedResponse current;
  private volatile long currentExpiresAtMillis;
  private volatile HighWaterMark mark;
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean fetching = new AtomicBoolean();
  private final CompletableFuture<Void> firstAttempt = new CompletableFuture<>();
  private volatile boolean coldWaitSpent;
  // monitoring only
  private volatile Instant trackedSince;
  private volatile Instant lastSuccessAt;
  private volatile long lastFetchMillis = -1;
  private volatile long fetches;

  /** Start (epoch millis) of the last fetch, or of the claim of a handshake-started one. */
  private final AtomicLong lastAttemptStart = new AtomicLong(Long.MIN_VALUE / 2);

  /** Last time (epoch millis, to the second) a handshake asked for this certificate. */
  private volatile long lastAskedMillis;

  // guarded by the FetchGate
  boolean queued;

  // guarded by this
  private int failures;
  private String lastError;
  private Instant nextAttemptAt;
  private Scheduler.Task timer;
  private boolean closed;

  StapleEntry(
      CertId id, X509Certificate cert, X509Certificate issuer, URI responder, long nowMillis) {
    this.id = id;
    this.cert = cert;
    this.issuer = issuer;
    this.responder = responder;
    this.lastAskedMillis = nowMillis;
  }

  /** A handshake asked for this certificate; a plain read first keeps the hit path cheap. */
  void asked(long nowMillis) {
    if (nowMillis - lastAskedMillis >= 1000) {
      lastAskedMillis = nowMillis;
    }
  }

  long lastAskedMillis() {
    return lastAskedMillis;
  }

  /** A fetch starts now. */
  void attemptStarted(long nowMillis) {
    lastAttemptStart.set(nowMillis);
  }

  /**
   * True for the one caller that may start a fetch now because a handshake found nothing to staple:
   * none in flight and the last one started at least {@code intervalMillis} ago.
   */
  boolean claimMissRetry(long nowMillis, long intervalMillis) {
    if (fetching.get()) {
      return false;
    }
    long last = lastAttemptStart.get();
    return nowMillis - last >= intervalMillis && lastAttemptStart.compareAndSet(last, nowMillis);
  }

  boolean isFetching() {
    return fetching.get();
  }

  /**
   * The response to staple at {@code nowMillis}, or null: never one near or past its nextUpdate.
   */
  ValidatedResponse stapleAt(long nowMillis) {
    ValidatedResponse r = current;
    return r != null && nowMillis < currentExpiresAtMillis ? r : null;
  }

  /** When the held response stops being stapled (epoch millis); meaningless if none is held. */
  long stapleUntilMillis() {
    return currentExpiresAtMillis;
  }

  /** The last good response held, possibly past its nextUpdate; null before the first. */
  public ValidatedResponse current() {
    return current;
  }

  public CertId id() {
    return id;
  }

  public X509Certificate cert() {
    return cert;
  }

  public URI responder() {
    return responder;
  }

  /** When StapleKeeper began tracking this certificate (its first handshake, prefetch or load). */
  public Instant trackedSince() {
    return trackedSince;
  }

  void trackedSince(Instant at) {
    trackedSince = at;
  }

  /** When a fetch last brought a good response, or null. */
  public Instant lastSuccessAt() {
    return lastSuccessAt;
  }

  /** How long the last fetch (request and validation) took, or -1 before the first. */
  public long lastFetchMillis() {
    return lastFetchMillis;
  }

  /** Fetch attempts that have ended, successful or not. */
  public long fetches() {
    return fetches;
  }

  void fetched(long millis, Instant succeededAt) {
    lastFetchMillis = millis;
    if (succeededAt != null) {
      lastSuccessAt = succeededAt;
    }
  }

  /**
   * A response stops being stapled this long before its nextUpdate (2 s, or a tenth of a shorter
   * window), so that it cannot reach a client already expired while the handshake is in flight.
   */
  static long expiryMarginMillis(ValidatedResponse r) {
    return Math.min(2000, r.validity().toMillis() / 10);
  }

  /**
   * The newest state accepted for this certificate (see {@link RevocationGuard}), or null; still
   * held after the response that set it expired.
   */
  public HighWaterMark mark() {
    return mark;
  }

  /** Raises the mark to {@code m} if {@code m} is higher; never lowers it. */
  synchronized void raiseMark(HighWaterMark m) {
    mark = HighWaterMark.max(mark, m);
  }

  /**
   * Judges {@code r} against the mark and, if {@link RevocationGuard} accepts it, holds it, in one
   * step: a mark raised at the same time (the store's, at start) is never bypassed.
   */
  synchronized RevocationGuard.Verdict offer(ValidatedResponse r) {
    RevocationGuard.Verdict v = RevocationGuard.judge(mark, r);
    if (v.accepted) {
      accept(r);
    }
    return v;
  }

  /** Holds {@code r} and raises the mark to it; callers go through {@link #offer}. */
  private void accept(ValidatedResponse r) {
    raiseMark(HighWaterMark.of(r));
    currentExpiresAtMillis = r.nextUpdate().toEpochMilli() - expiryMarginMillis(r);
    current = r;
    synchronized (this) {
      failures = 0;
      lastError = null;
    }
  }

  synchronized int recordFailure(String error) {
    lastError = error;
    return ++failures;
  }

  /** The error of the last failed fetch, null after a success. */
  public synchronized String lastError() {
    return lastError;
  }

  /** Failed fetches since the last good response. */
  public synchronized int failures() {
    return failures;
  }

  /** When the next fetch is due, or null. */
  public synchronized Instant nextAttemptAt() {
    return nextAttemptAt;
  }

  /** True exactly once: the caller starts the first fetch. */
  boolean markStarted() {
    // a plain read first: the handshake path calls this on every hit
    return !started.get() && started.compareAndSet(false, true);
  }

  boolean tryBeginFetch() {
    return fetching.compareAndSet(false, true);
  }

  void endFetch() {
    fetches++; // written only by the one fetch in flight
    fetching.set(false);
    firstAttemptEnded();
  }

  /** Lets handshakes waiting for the first fetch go on (idempotent). */
  void firstAttemptEnded() {
    firstAttempt.complete(null);
  }

  /**
   * True until the first fetch of this certificate has ended, and only until one handshake has
   * waited the whole cold wait for it in vain: a hanging responder delays one handshake, not all.
   */
  boolean awaitingFirstAttempt() {
    return !coldWaitSpent && !firstAttempt.isDone();
  }

  /** A handshake waited the whole cold wait without a response: later ones do not wait. */
  void markColdWaitSpent() {
    coldWaitSpent = true;
  }

  CompletableFuture<Void> firstAttempt() {
    return firstAttempt;
  }

  /** Replaces the pending timer; returns false once the entry is closed. */
  synchronized boolean setTimer(Scheduler.Task task, Instant at) {
    if (closed) {
      task.cancel();
      return false;
    }
    if (timer != null) {
      timer.cancel();
    }
    timer = task;
    nextAttemptAt = at;
    return true;
  }

  synchronized boolean isClosed() {
    return closed;
  }

  synchronized void close() {
    closed = true;
    if (timer != null) {
      timer.cancel();
      timer = null;
    }
    firstAttempt.complete(null);
  }
}
