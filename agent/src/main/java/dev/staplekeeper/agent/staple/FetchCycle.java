package dev.staplekeeper.agent.staple;

import dev.staplekeeper.agent.log.AgentLog;
import dev.staplekeeper.agent.ocsp.InvalidResponseException;
import dev.staplekeeper.agent.ocsp.ResponseValidator;
import dev.staplekeeper.agent.ocsp.ValidatedResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Predicate;

/**
 * The background half of the stapling policy: each certificate's fetch, refresh and retry, run by
 * the entry's own timer on the {@link Scheduler}, never on a handshake thread.
 *
 * <p>Contract:
 *
 * <ul>
 *   <li>At most one fetch per certificate is in flight; the entry's timer starts one, and so may a
 *       handshake that finds nothing valid to staple ({@link #hasten}: none in flight and the last
 *       one started at least {@code missRetryInterval} ago; the handshake never waits for it).
 *   <li>Every fetch passes the {@link FetchGate}: bounded in total and per responder host, queued
 *       fairly across hosts.
 *   <li>Before fetching, a certificate whose time is up ({@code letGo}: no longer presented and not
 *       asked for) is let go instead, and its schedule ends.
 *   <li>A validated response that {@link RevocationGuard} accepts (newer than the certificate's
 *       {@link HighWaterMark}, or the same state) replaces the held one, is stored, and sets the
 *       next refresh by {@link RefreshPolicy}; a valid revoked response replacing a good one is
 *       logged at ERROR. One it refuses (older; a good one not newer than a revocation, logged at
 *       ERROR) is a failure: the held response is kept and the fetch retried.
 *   <li>Any failure (I/O, invalid response, a bug) keeps the held response and schedules a retry by
 *       {@link RefreshPolicy#retryDelay}; it never ends the certificate's schedule.
 * </ul>
 */
final class FetchCycle {
  private static final AgentLog log = AgentLog.get(FetchCycle.class);

  private final Clock clock;
  private final Scheduler scheduler;
  private final ResponseSource source;
  private final ResponseValidator validator;
  private final ResponseStore store;
  private final RefreshPolicy policy;
  private final boolean stapleRevoked;
  private final StapleCounters counters;
  private final ExpiryWarnings expiryWarnings = new ExpiryWarnings();
  private final FetchGate gate;
  private final long missRetryIntervalMillis;
  private final Predicate<StapleEntry> letGo;

  FetchCycle(
      Clock clock,
      Scheduler scheduler,
      ResponseSource source,
      ResponseValidator validator,
      ResponseStore store,
      RefreshPolicy policy,
      StapleSettings settings,
      Predicate<StapleEntry> letGo,
      StapleCounters counters) {
    this.clock = clock;
    this.scheduler = scheduler;
    this.source = source;
    this.validator = validator;
    this.store = store;
    this.policy = policy;
    this.stapleRevoked = settings.stapleRevoked();
    this.gate = new FetchGate(settings.fetchConcurrency());
    this.missRetryIntervalMillis = settings.missRetryInterval().toMillis();
    this.letGo = letGo;
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

  /**
   * A handshake found nothing valid to staple for {@code entry}: starts a fetch at once if none is
   * in flight and the last one started at least {@code missRetryInterval} ago. Never waits.
   */
  void hasten(StapleEntry entry, long nowMillis) {
    if (entry.responder != null // a stored response without responder is never fetched
        && entry.claimMissRetry(nowMillis, missRetryIntervalMillis)
        && !entry.isClosed()) {
      schedule(entry, Duration.ZERO);
    }
  }

  FetchGate gate() {
    return gate;
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

  /** One fetch, when the gate admits it: runs on the scheduler, never on a handshake thread. */
  void attempt(StapleEntry entry) {
    if (entry.isClosed() || entry.isFetching()) {
      return;
    }
    if (letGo.test(entry)) {
      return;
    }
    if (gate.enter(entry)) {
      admitted(entry);
    }
  }

  /** Runs an admitted fetch, then hands its slot to the next waiting one. */
  private void admitted(StapleEntry entry) {
    try {
      if (!entry.isClosed() && entry.tryBeginFetch()) {
        try {
          fetch(entry);
        } finally {
          entry.endFetch();
        }
      }
    } finally {
      StapleEntry next = gate.leave(entry);
      if (next != null) {
        scheduler.schedule(() -> admitted(next), Duration.ZERO);
      }
    }
  }

  private void fetch(StapleEntry entry) {
    entry.attemptStarted(clock.millis());
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
    // A handshake waiting for this first fetch staples it now, not after the log line and the
    // store.
    entry.firstAttemptEnded();
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
    ValidatedResponse held = entry.current();
    Duration delay =
        policy.retryDelay(
            failures, held == null ? null : Instant.ofEpochMilli(entry.stapleUntilMillis()), now);
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
