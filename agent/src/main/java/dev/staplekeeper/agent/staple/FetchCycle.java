package dev.staplekeeper.agent.staple;

import dev.staplekeeper.agent.ocsp.InvalidResponseException;
import dev.staplekeeper.agent.ocsp.ResponseValidator;
import dev.staplekeeper.agent.ocsp.ValidatedResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background half of the stapling policy: each certificate's fetch, refresh and retry, run by
 * the entry's own timer on the {@link Scheduler}, never on a handshake thread.
 *
 * <p>Contract:
 *
 * <ul>
 *   <li>At most one fetch per certificate is in flight; only the entry's timer starts one.
 *   <li>A validated response that {@link RevocationGuard} accepts (newer than the certificate's
 *       {@link HighWaterMark}, or the same state) replaces the held one, is stored, and sets the
 *       next refresh by {@link RefreshPolicy}; a valid revoked response replacing a good one is
 *       logged at ERROR. One it refuses (older; a good one not newer than a revocation, logged at
 *       ERROR) is a failure: the held response is kept and the fetch retried.
 *   <li>Any failure (I/O, invalid response, a bug) keeps the held response and schedules a retry
 *       with capped exponential backoff; it never ends the certificate's schedule.
 * </ul>
 */
final class FetchCycle {
  private static final Logger log = LoggerFactory.getLogger(FetchCycle.class);

  private final Clock clock;
  private final Scheduler scheduler;
  private final ResponseSource source;
  private final ResponseValidator validator;
  private final ResponseStore store;
  private final RefreshPolicy policy;
  private final boolean stapleRevoked;
  private final StapleCounters counters;
  private final ExpiryWarnings expiryWarnings = new ExpiryWarnings();

  FetchCycle(
      Clock clock,
      Scheduler scheduler,
      ResponseSource source,
      ResponseValidator validator,
      ResponseStore store,
      RefreshPolicy policy,
      boolean stapleRevoked,
      StapleCounters counters) {
    this.clock = clock;
    this.scheduler = scheduler;
    this.source = source;
    this.validator = validator;
    this.store = store;
    this.policy = policy;
    this.stapleRevoked = stapleRevoked;
    this.counters = counters;
  }

  /** Starts the schedule of a newly seen certificate: its first fetch, at once. */
  void start(StapleEntry entry) {
    schedule(entry, Duration.ZERO);
  }

  /** Starts the schedule of a certificate whose response was loaded from the store. */
  void startAfterLoad(StapleEntry entry, ValidatedResponse loaded) {
    schedule(entry, policy.refreshDelayAfterLoad(loaded, clock.instant()));
  }

  /** Stops all background work; running fetches are interrupted. */
  void shutdown() {
    scheduler.shutdown();
  }

  private void schedule(StapleEntry entry, Duration delay) {
    Instant at = clock.instant().plus(delay);
    Scheduler.Task task = scheduler.schedule(() -> attempt(entry), delay);
    entry.setTimer(task, at);
  }

  /** One fetch: runs on the scheduler, never on a handshake thread. */
  void attempt(StapleEntry entry) {
    if (entry.isClosed() || !entry.tryBeginFetch()) {
      return;
    }
    long started = System.nanoTime();
    try {
      byte[] der = source.fetch(entry.responder, entry.id);
      ValidatedResponse r = validator.validate(der, entry.id, entry.issuer, clock.instant());
      entry.fetched((System.nanoTime() - started) / 1_000_000, null);
      onResponse(entry, r);
    } catch (InvalidResponseException e) {
      fetchFailed(entry, started, e);
      onFailure(entry, "invalid response from " + entry.responder + ": " + e.getMessage());
    } catch (Exception e) {
      fetchFailed(entry, started, e);
      onFailure(entry, describe(e));
    } catch (Throwable t) { // a bug must not end this certificate's schedule
      fetchFailed(entry, started, t);
      onFailure(entry, "internal error: " + t);
      if (t instanceof VirtualMachineError) {
        throw (VirtualMachineError) t;
      }
    } finally {
      entry.endFetch();
    }
  }

  private void fetchFailed(StapleEntry entry, long startedNanos, Throwable t) {
    entry.fetched((System.nanoTime() - startedNanos) / 1_000_000, null);
    counters.fetchFailed(StapleCounters.FailureReason.of(t));
  }

  private void onResponse(StapleEntry entry, ValidatedResponse r) {
    Instant now = clock.instant();
    ValidatedResponse held = entry.current();
    int failuresBefore = entry.failures();
    HighWaterMark mark; // the one r was judged against
    RevocationGuard.Verdict verdict;
    synchronized (entry) {
      mark = entry.mark();
      verdict = entry.offer(r);
    }
    if (!verdict.accepted) {
      counters.fetchFailed(StapleCounters.FailureReason.INVALID_RESPONSE);
      String why = RevocationGuard.refusal(verdict, mark, r);
      if (verdict == RevocationGuard.Verdict.ROLLBACK) {
        log.error(
            "StapleKeeper: certificate {} [{}]: {} (from {})",
            StapleService.subject(entry.cert),
            entry.id,
            why,
            entry.responder);
      }
      onFailure(entry, why);
      return;
    }
    if (RevocationGuard.unrevokes(mark, r)) {
      log.error(
          "StapleKeeper: certificate {} [{}] was REVOKED (thisUpdate {}, revoked at {}) and a"
              + " strictly newer response from {} (thisUpdate {}) says GOOD; stapling it",
          StapleService.subject(entry.cert),
          entry.id,
          mark.thisUpdate(),
          mark.revocationTime(),
          entry.responder,
          r.thisUpdate());
    }
    entry.fetched(entry.lastFetchMillis(), now);
    counters.fetchSucceeded();
    expiryWarnings.onSuccess(entry.id);
    Duration delay = policy.refreshDelay(r, now);
    if (r.status() == ValidatedResponse.Status.REVOKED
        && (held == null || held.status() != ValidatedResponse.Status.REVOKED)) {
      log.error(
          "StapleKeeper: certificate {} [{}] is REVOKED (revocation time {}) according to {}; {}",
          StapleService.subject(entry.cert),
          entry.id,
          r.revocationTime(),
          entry.responder,
          stapleRevoked
              ? "stapling the revoked response"
              : "sending no staple (stapleRevoked=false)");
    } else if (held == null || failuresBefore > 0) {
      log.info(
          "StapleKeeper got OCSP response for {} [{}]: {}{}; next refresh in {}",
          StapleService.subject(entry.cert),
          entry.id,
          r,
          failuresBefore > 0 ? " after " + failuresBefore + " failed attempts" : "",
          StapleService.human(delay));
    } else {
      log.debug(
          "StapleKeeper refreshed OCSP response for {}: {}; next refresh in {}",
          entry.id,
          r,
          StapleService.human(delay));
    }
    store.save(entry.cert, entry.issuer, r);
    schedule(entry, delay);
  }

  private void onFailure(StapleEntry entry, String error) {
    Instant now = clock.instant();
    String previous = entry.lastError();
    int failures = entry.recordFailure(error);
    Duration delay = policy.retryDelay(failures);
    ValidatedResponse held = entry.current();
    String keeping =
        held != null && held.isUsableAt(now)
            ? "keeping the last good response, valid for "
                + StapleService.human(Duration.between(now, held.nextUpdate()))
                + " more (until "
                + held.nextUpdate()
                + ")"
            : "no valid response to staple";
    boolean loud = Integer.bitCount(failures) == 1 || !error.equals(previous);
    String line = "StapleKeeper OCSP fetch for {} [{}] failed (attempt {}): {}; {}; retry in {}";
    String subject = StapleService.subject(entry.cert);
    String retryIn = StapleService.human(delay);
    if (loud) {
      log.warn(line, subject, entry.id, failures, error, keeping, retryIn);
    } else {
      log.debug(line, subject, entry.id, failures, error, keeping, retryIn);
    }
    warnIfRunningOut(entry, held, now, now.plus(delay), error);
    schedule(entry, delay);
  }

  private void warnIfRunningOut(
      StapleEntry entry, ValidatedResponse held, Instant now, Instant nextAttempt, String error) {
    ExpiryWarnings.Warning w = expiryWarnings.onFailure(entry.id, held, now, nextAttempt);
    if (w == null) {
      return;
    }
    if (w.level == ExpiryWarnings.Level.SEVERE) {
      log.error(
          "StapleKeeper has nothing left to staple for {} [{}]: {}; the responder still fails ({});"
              + " handshakes get no staple until a fetch succeeds",
          StapleService.subject(entry.cert),
          entry.id,
          held == null
              ? "no response was ever fetched"
              : "the held response expired at " + held.nextUpdate(),
          error);
    } else {
      log.warn(
          "StapleKeeper: the OCSP response held for {} [{}] runs out in {} (at {}, {}% of its {}"
              + " window left) and the responder still fails ({}); no staple after that unless a"
              + " fetch succeeds",
          StapleService.subject(entry.cert),
          entry.id,
          StapleService.human(w.left),
          held.nextUpdate(),
          w.left.toMillis() * 100 / Math.max(1, w.window.toMillis()),
          StapleService.human(w.window),
          error);
    }
  }

  private static String describe(Exception e) {
    String msg = e.getMessage();
    return msg == null ? e.getClass().getSimpleName() : msg;
  }
}
