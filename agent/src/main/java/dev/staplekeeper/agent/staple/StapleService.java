package dev.staplekeeper.agent.staple;

import dev.staplekeeper.agent.config.AgentConfig;
import dev.staplekeeper.agent.ocsp.CertId;
import dev.staplekeeper.agent.ocsp.InvalidResponseException;
import dev.staplekeeper.agent.ocsp.ResponseValidator;
import dev.staplekeeper.agent.ocsp.ValidatedResponse;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * StapleKeeper's stapling policy, in plain Java: what a handshake gets, and when each certificate's
 * response is fetched again.
 *
 * <p>Contract:
 *
 * <ul>
 *   <li>{@link #responses} never does network I/O when a valid response is cached, and never
 *       returns a response past its nextUpdate, an error response or an unvalidated one.
 *   <li>A certificate's first handshake (cold miss) starts one fetch and waits at most {@code
 *       coldWait} for it; once that fetch has ended, handshakes never wait again.
 *   <li>At most one fetch per certificate is in flight, whatever the handshake rate. Failures of
 *       any kind keep the last good response and are retried with capped exponential backoff.
 *   <li>A fresher good response replaces the held one; a valid revoked response replaces a good one
 *       (logged at ERROR) and is stapled if {@code stapleRevoked}.
 * </ul>
 */
public final class StapleService {
  private static final Logger log = LoggerFactory.getLogger(StapleService.class);

  /** Finds the responder of a certificate, or null when it has none. */
  @FunctionalInterface
  public interface ResponderResolver {
    URI responderFor(X509Certificate cert);
  }

  private final AgentConfig config;
  private final Clock clock;
  private final Scheduler scheduler;
  private final ResponseSource source;
  private final ResponseValidator validator;
  private final ResponderResolver resolver;
  private final ResponseStore store;
  private final RefreshPolicy policy;
  private final StapleCache cache;
  private final StapleCounters counters = new StapleCounters();
  private final ExpiryWarnings expiryWarnings = new ExpiryWarnings();

  public StapleService(
      AgentConfig config,
      Clock clock,
      Scheduler scheduler,
      ResponseSource source,
      ResponseValidator validator,
      ResponderResolver resolver,
      ResponseStore store,
      DoubleSupplier random) {
    this.config = config;
    this.clock = clock;
    this.scheduler = scheduler;
    this.source = source;
    this.validator = validator;
    this.resolver = resolver;
    this.store = store;
    this.policy =
        new RefreshPolicy(
            config.refreshFraction(),
            config.refreshJitter(),
            config.retryInitialBackoff(),
            config.retryMaxBackoff(),
            random);
    this.cache = new StapleCache(config.cacheSize());
  }

  /**
   * The handshake path: responses to staple for {@code chain}. {@code type} is the JDK's status
   * request type: {@code OCSP} (RFC 6066, leaf only) or {@code OCSP_MULTI} (RFC 6961 and every TLS
   * 1.3 handshake: each certificate whose issuer is in the chain). Returns an empty map when there
   * is nothing valid to staple, which makes the JDK send no staple.
   */
  public Map<X509Certificate, byte[]> responses(String type, X509Certificate[] chain) {
    if (config.failLookupsForTesting()) {
      throw new IllegalStateException("staplekeeper.failLookupsForTesting is set");
    }
    if (chain == null || chain.length < 2) {
      return Collections.emptyMap();
    }
    int count = "OCSP_MULTI".equals(type) ? chain.length - 1 : 1;
    long now = clock.millis();
    Map<X509Certificate, byte[]> out = null;
    List<X509Certificate> cold = null;
    List<StapleEntry> coldEntries = null;
    for (int i = 0; i < count; i++) {
      StapleEntry entry = entryFor(chain[i], chain[i + 1]);
      if (entry == null) {
        continue;
      }
      ValidatedResponse r = entry.stapleAt(now);
      if (r != null && stapleable(r)) {
        if (count == 1) {
          counters.handshake(true);
          return Collections.singletonMap(chain[0], r.der());
        }
        if (out == null) {
          out = new HashMap<>(4);
        }
        out.put(chain[i], r.der());
      } else if (r == null && entry.awaitingFirstAttempt()) {
        if (cold == null) {
          cold = new ArrayList<>(2);
          coldEntries = new ArrayList<>(2);
        }
        cold.add(chain[i]);
        coldEntries.add(entry);
      }
    }
    if (cold != null) {
      out = awaitCold(cold, coldEntries, out);
    }
    counters.handshake(out != null);
    return out == null ? Collections.emptyMap() : out;
  }

  /** Starts fetching for {@code chain} without waiting: called when a server context learns it. */
  public void prefetch(X509Certificate[] chain) {
    if (chain == null) {
      return;
    }
    for (int i = 0; i + 1 < chain.length; i++) {
      entryFor(chain[i], chain[i + 1]);
    }
  }

  /**
   * Loads and re-validates the stored responses, exactly as fetched ones are; every one that passes
   * is served at once and refreshed on its schedule (at once, if its refresh point has passed).
   */
  public int loadStored() {
    int loaded = 0;
    for (ResponseStore.Stored s : store.loadAll()) {
      CertId id = null;
      try {
        id = CertId.of(s.cert, s.issuer);
        ValidatedResponse r = validator.validate(s.der, id, s.issuer, clock.instant());
        URI responder = resolver.responderFor(s.cert);
        StapleEntry entry = cache.entry(id, k -> new StapleEntry(k, s.cert, s.issuer, responder));
        if (entry.current() == null || r.thisUpdate().isAfter(entry.current().thisUpdate())) {
          entry.accept(r);
        }
        entry.firstAttempt().complete(null);
        if (entry.markStarted()) {
          entry.trackedSince(clock.instant());
          if (responder != null) {
            schedule(entry, policy.refreshDelayAfterLoad(r, clock.instant()));
          }
        }
        loaded++;
        log.info(
            "StapleKeeper loaded stored OCSP response {} for {} ({}): {} left",
            s.name,
            subject(s.cert),
            r,
            human(Duration.between(clock.instant(), r.nextUpdate())));
      } catch (InvalidResponseException | RuntimeException e) {
        log.warn(
            "StapleKeeper skipped stored OCSP response {}: {}; it will not be stapled",
            s.name,
            e.getMessage());
        if (e instanceof InvalidResponseException && ((InvalidResponseException) e).isExpired()) {
          store.delete(id, "expired");
        }
      }
    }
    return loaded;
  }

  /** One line per tracked certificate: status, time left, next attempt, last error. */
  public List<String> describe() {
    List<String> lines = new ArrayList<>();
    Instant now = clock.instant();
    for (StapleEntry e : cache.all()) {
      ValidatedResponse r = e.current();
      String held =
          r == null
              ? "no response"
              : r.status()
                  + (r.isUsableAt(now)
                      ? ", valid " + human(Duration.between(now, r.nextUpdate()))
                      : ", EXPIRED");
      Instant next = e.nextAttemptAt();
      lines.add(
          subject(e.cert)
              + " ["
              + e.id
              + "]: "
              + held
              + (next != null ? ", next fetch in " + human(Duration.between(now, next)) : "")
              + (e.failures() > 0
                  ? ", " + e.failures() + " failures, last: " + e.lastError()
                  : ""));
    }
    return lines;
  }

  /** Every tracked certificate, for monitoring. */
  public List<StapleEntry> entries() {
    return cache.all();
  }

  /** Totals since start, for monitoring. */
  public StapleCounters counters() {
    return counters;
  }

  /** Fetches for {@code entry} now, off the calling thread (an operator's refresh). */
  public void refreshNow(StapleEntry entry) {
    if (entry.responder != null && !entry.isClosed()) {
      schedule(entry, Duration.ZERO);
    }
  }

  /** Stops all background work. */
  public void close() {
    cache.clear();
    scheduler.shutdown();
  }

  private boolean stapleable(ValidatedResponse r) {
    return r.status() == ValidatedResponse.Status.GOOD || config.stapleRevoked();
  }

  /**
   * Waits, up to {@code coldWait} in all, for the first fetch of each certificate in {@code cold}
   * ({@code entries} holds their entries, index by index), then adds what arrived to {@code out}.
   */
  private Map<X509Certificate, byte[]> awaitCold(
      List<X509Certificate> cold, List<StapleEntry> entries, Map<X509Certificate, byte[]> out) {
    long deadline = System.nanoTime() + config.coldWait().toNanos();
    for (StapleEntry e : entries) {
      long left = deadline - System.nanoTime();
      try {
        if (left <= 0) {
          throw new TimeoutException();
        }
        e.firstAttempt().get(left, TimeUnit.NANOSECONDS);
      } catch (TimeoutException timedOut) {
        e.coldWaitSpent();
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        break;
      } catch (ExecutionException ignored) {
        // the first attempt never completes exceptionally; nothing to staple either way
      }
    }
    long now = clock.millis();
    for (int i = 0; i < cold.size(); i++) {
      ValidatedResponse r = entries.get(i).stapleAt(now);
      if (r != null && stapleable(r)) {
        if (out == null) {
          out = new HashMap<>(4);
        }
        out.put(cold.get(i), r.der());
      }
    }
    return out;
  }

  private StapleEntry entryFor(X509Certificate cert, X509Certificate issuer) {
    StapleCache.Key key = cache.key(cert);
    if (key == null) {
      key = computeKey(cert, issuer);
      cache.putKey(cert, key);
    }
    if (key == StapleCache.NO_RESPONDER) {
      return null;
    }
    StapleCache.Key k = key;
    StapleEntry entry = cache.entry(key.id);
    if (entry == null) {
      entry = cache.entry(key.id, id -> new StapleEntry(id, cert, issuer, k.responder));
    }
    if (entry.markStarted()) {
      entry.trackedSince(clock.instant());
      log.info(
          "StapleKeeper now stapling {} [{}], responder {}", subject(cert), entry.id, k.responder);
      schedule(entry, Duration.ZERO);
    }
    return entry;
  }

  private StapleCache.Key computeKey(X509Certificate cert, X509Certificate issuer) {
    URI responder = resolver.responderFor(cert);
    if (responder == null) {
      log.debug("{} has no OCSP responder URL; left alone", subject(cert));
      return StapleCache.NO_RESPONDER;
    }
    if (!cert.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
      log.debug("{} is not followed by its issuer in the chain; left alone", subject(cert));
      return StapleCache.NO_RESPONDER;
    }
    return new StapleCache.Key(CertId.of(cert, issuer), responder);
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
    if (held != null && held.isUsableAt(now) && r.thisUpdate().isBefore(held.thisUpdate())) {
      counters.fetchFailed(StapleCounters.FailureReason.INVALID_RESPONSE);
      onFailure(
          entry,
          "responder sent a response older than the one held (thisUpdate "
              + r.thisUpdate()
              + " < "
              + held.thisUpdate()
              + "); keeping the newer one");
      return;
    }
    int failuresBefore = entry.failures();
    entry.accept(r);
    entry.fetched(entry.lastFetchMillis(), now);
    counters.fetchSucceeded();
    expiryWarnings.onSuccess(entry.id);
    Duration delay = policy.refreshDelay(r, now);
    if (r.status() == ValidatedResponse.Status.REVOKED
        && (held == null || held.status() != ValidatedResponse.Status.REVOKED)) {
      log.error(
          "StapleKeeper: certificate {} [{}] is REVOKED (revocation time {}) according to {}; {}",
          subject(entry.cert),
          entry.id,
          r.revocationTime(),
          entry.responder,
          config.stapleRevoked()
              ? "stapling the revoked response"
              : "sending no staple (stapleRevoked=false)");
    } else if (held == null || failuresBefore > 0) {
      log.info(
          "StapleKeeper got OCSP response for {} [{}]: {}{}; next refresh in {}",
          subject(entry.cert),
          entry.id,
          r,
          failuresBefore > 0 ? " after " + failuresBefore + " failed attempts" : "",
          human(delay));
    } else {
      log.debug(
          "StapleKeeper refreshed OCSP response for {}: {}; next refresh in {}",
          entry.id,
          r,
          human(delay));
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
                + human(Duration.between(now, held.nextUpdate()))
                + " more (until "
                + held.nextUpdate()
                + ")"
            : "no valid response to staple";
    boolean loud = Integer.bitCount(failures) == 1 || !error.equals(previous);
    String line = "StapleKeeper OCSP fetch for {} [{}] failed (attempt {}): {}; {}; retry in {}";
    if (loud) {
      log.warn(line, subject(entry.cert), entry.id, failures, error, keeping, human(delay));
    } else {
      log.debug(line, subject(entry.cert), entry.id, failures, error, keeping, human(delay));
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
          subject(entry.cert),
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
          subject(entry.cert),
          entry.id,
          human(w.left),
          held.nextUpdate(),
          w.left.toMillis() * 100 / Math.max(1, w.window.toMillis()),
          human(w.window),
          error);
    }
  }

  private static String describe(Exception e) {
    String msg = e.getMessage();
    return msg == null ? e.getClass().getSimpleName() : msg;
  }

  static String subject(X509Certificate cert) {
    return cert.getSubjectX500Principal().getName();
  }

  /** 3d4h, 2h5m, 4m10s, 12s, 250ms. */
  static String human(Duration d) {
    if (d.isNegative()) {
      return "-" + human(d.negated());
    }
    long s = d.getSeconds();
    if (s >= 86400) {
      return s / 86400 + "d" + (s % 86400) / 3600 + "h";
    }
    if (s >= 3600) {
      return s / 3600 + "h" + (s % 3600) / 60 + "m";
    }
    if (s >= 60) {
      return s / 60 + "m" + s % 60 + "s";
    }
    if (s >= 1) {
      return s + "s";
    }
    return d.toMillis() + "ms";
  }
}
