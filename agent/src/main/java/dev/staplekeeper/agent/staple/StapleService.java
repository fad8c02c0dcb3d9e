package dev.staplekeeper.agent.staple;

import dev.staplekeeper.agent.log.AgentLog;
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
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.DoubleSupplier;

/**
 * StapleKeeper's stapling policy, in plain Java: what a handshake gets, and which certificates are
 * tracked. Each certificate's fetches, refreshes and retries run in the background in {@link
 * FetchCycle}. Made only by {@link #builder}.
 *
 * <p>Contract:
 *
 * <ul>
 *   <li>{@link #responses} never does network I/O when a valid response is cached, and never
 *       returns a response past its nextUpdate, an error response or an unvalidated one.
 *   <li>A certificate's first handshake (cold miss) starts one fetch and waits at most {@code
 *       coldWait} for it; once that fetch has ended, handshakes never wait again.
 *   <li>At most one fetch per certificate is in flight, whatever the handshake rate. Failures of
 *       any kind keep the last good response and are retried with capped exponential backoff
 *       ({@link RefreshPolicy}); while nothing valid is held, a handshake may start a fetch at most
 *       once per {@code missRetryInterval}, without waiting for it.
 *   <li>A certificate pushed out by {@code cacheSize} does not make handshakes wait again when it
 *       comes back.
 *   <li>A certificate that no scanned server context presents any more and that no handshake asked
 *       for during {@code retireAfter} (default: one validity window of its response) is let go at
 *       its next due fetch: no more fetches, out of the cache and the store, one INFO line.
 *   <li>A fresher good response replaces the held one; a valid revoked response replaces a good one
 *       (logged at ERROR) and is stapled if {@code stapleRevoked}.
 * </ul>
 */
public final class StapleService {
  private static final AgentLog log = AgentLog.get(StapleService.class);

  /** Finds the responder of a certificate, or null when it has none. */
  @FunctionalInterface
  public interface ResponderResolver {
    URI responderFor(X509Certificate cert);
  }

  private final StapleSettings settings;
  private final Clock clock;
  private final ResponseValidator validator;
  private final ResponderResolver resolver;
  private final ResponseStore store;
  private final StapleCache cache;
  private final FetchCycle cycle;
  private final StapleCounters counters = new StapleCounters();
  private final ChainWarnings chainWarnings = new ChainWarnings();

  /** Loaded and valid stored responses whose certificate the server has not presented yet. */
  private final Map<CertId, StoredResponse> stored = new ConcurrentHashMap<>();

  /**
   * High-water marks loaded from the store, by {@link CertId#fileStem()}: each certificate's entry
   * starts from its mark, so a planted or stale older response is refused after a restart.
   */
  private final Map<String, HighWaterMark> storedMarks = new ConcurrentHashMap<>();

  private final Presenters presenters = new Presenters();

  private StapleService(Builder b) {
    this.settings = b.settings;
    this.clock = b.clock;
    this.validator = Objects.requireNonNull(b.validator, "validator");
    this.resolver = Objects.requireNonNull(b.resolver, "resolver");
    this.store = b.store;
    this.cache = new StapleCache(settings.cacheSize());
    RefreshPolicy policy =
        new RefreshPolicy(
            settings.refreshFraction(),
            settings.refreshJitter(),
            settings.retryInitialBackoff(),
            settings.retryMaxBackoff(),
            settings.missRetryMaxBackoff(),
            b.random);
    Scheduler scheduler =
        b.scheduler != null
            ? b.scheduler
            : new ExecutorScheduler("staplekeeper-fetch", settings.fetchConcurrency());
    this.cycle =
        new FetchCycle(
            clock,
            scheduler,
            Objects.requireNonNull(b.source, "source"),
            validator,
            store,
            policy,
            settings,
            this::letGoIfRetired,
            counters);
  }

  /**
   * The one way to make a service: {@code settings} plus the parts it talks to. Source, validator
   * and resolver are required; the clock defaults to UTC system time, the scheduler to {@code
   * fetchConcurrency} daemon threads {@code staplekeeper-fetch-N}, the store to memory only,
   * randomness to {@link ThreadLocalRandom}.
   */
  public static Builder builder(StapleSettings settings) {
    return new Builder(settings);
  }

  /** Collects a service's collaborators; see {@link StapleService#builder}. */
  public static final class Builder {
    private final StapleSettings settings;
    private Clock clock = Clock.systemUTC();
    private Scheduler scheduler;
    private ResponseSource source;
    private ResponseValidator validator;
    private ResponderResolver resolver;
    private ResponseStore store = ResponseStore.NONE;
    private DoubleSupplier random = () -> ThreadLocalRandom.current().nextDouble();

    private Builder(StapleSettings settings) {
      this.settings = Objects.requireNonNull(settings, "settings");
    }

    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /** Runs fetches, refreshes and retries; {@link StapleService#close} shuts it down. */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = scheduler;
      return this;
    }

    /** Where response bytes come from (the HTTP fetcher, in production). */
    public Builder source(ResponseSource source) {
      this.source = source;
      return this;
    }

    public Builder validator(ResponseValidator validator) {
      this.validator = validator;
      return this;
    }

    public Builder resolver(ResponderResolver resolver) {
      this.resolver = resolver;
      return this;
    }

    public Builder store(ResponseStore store) {
      this.store = store;
      return this;
    }

    /** Uniform in [0, 1): the jitter of refreshes and retries. */
    public Builder random(DoubleSupplier random) {
      this.random = random;
      return this;
    }

    public StapleService build() {
      return new StapleService(this);
    }
  }

  /**
   * The handshake path: responses to staple for {@code chain}. {@code type} is the JDK's status
   * request type: {@code OCSP} (RFC 6066, leaf only) or {@code OCSP_MULTI} (RFC 6961 and every TLS
   * 1.3 handshake: each certificate whose issuer is in the chain). Returns an empty map when there
   * is nothing valid to staple, which makes the JDK send no staple.
   */
  public Map<X509Certificate, byte[]> responses(String type, X509Certificate[] chain) {
    if (chain == null || chain.length < 2) {
      if (chain != null && chain.length == 1) {
        checkLeafOnly(chain[0]);
      }
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
      entry.asked(now);
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
      } else if (r == null) {
        cycle.hasten(entry, now);
      }
    }
    if (cold != null) {
      out = awaitCold(cold, coldEntries, out);
    }
    counters.handshake(out != null);
    return out == null ? Collections.emptyMap() : out;
  }

  /**
   * Runs what a certificate's first fetch runs around the network exchange (responder lookup,
   * issuer check, CertID, validation of {@code response} at {@code at}, the revocation rule) for a
   * certificate this service does not track: nothing is kept, stored or fetched, and nothing is
   * logged unless the certificate has no responder or the wrong issuer. The start-up warm-up calls
   * it so that the application's first certificate does not pay for loading and linking this code
   * while its first handshake waits.
   *
   * @return the validated response, for the caller to check that the rehearsal went all the way
   */
  public ValidatedResponse rehearse(
      X509Certificate cert, X509Certificate issuer, byte[] response, Instant at)
      throws InvalidResponseException {
    StapleCache.Resolution resolved = resolve(cert, issuer);
    if (resolved == StapleCache.NO_RESPONDER) {
      throw new IllegalArgumentException("not stapled: " + subject(cert));
    }
    ValidatedResponse r = validator.validate(response, resolved.id, issuer, at);
    if (!RevocationGuard.judge(null, r).accepted) {
      throw new IllegalArgumentException("refused by the revocation rule: " + r);
    }
    return r;
  }

  /** Starts fetching for {@code chain} without waiting: called when a server context learns it. */
  public void prefetch(X509Certificate[] chain) {
    if (chain == null) {
      return;
    }
    if (chain.length == 1) {
      checkLeafOnly(chain[0]);
    }
    for (int i = 0; i + 1 < chain.length; i++) {
      entryFor(chain[i], chain[i + 1]);
    }
  }

  /**
   * The latest scan of {@code presenter} (a key manager of a server context) found {@code chains}:
   * starts fetching for each, and remembers that they are presented while the presenter lives.
   */
  public void presented(Object presenter, List<X509Certificate[]> chains) {
    java.util.Set<CertId> ids = new java.util.HashSet<>();
    for (X509Certificate[] chain : chains) {
      prefetch(chain);
      if (chain != null && chain.length > 1) {
        StapleCache.Resolution r = cache.resolution(chain[0]);
        if (r != null && r != StapleCache.NO_RESPONDER) {
          ids.add(r.id);
        }
      }
    }
    presenters.presents(presenter, ids);
  }

  /**
   * Loads and re-validates the stored responses, exactly as fetched ones are. A stored response is
   * used only for a certificate the server presents (the same certificate, byte for byte, as the
   * one in the file): it is served from that certificate's first handshake or prefetch on and
   * refreshed on its schedule from the live certificate's own responder, never from anything in the
   * file.
   *
   * @return how many stored responses passed validation
   */
  public int loadStored() {
    loadMarks();
    int loaded = 0;
    for (ResponseStore.Stored s : store.loadAll()) {
      CertId id = null;
      try {
        id = CertId.of(s.cert, s.issuer);
        ValidatedResponse r = validator.validate(s.der, id, s.issuer, clock.instant());
        HighWaterMark mark = storedMarks.get(id.fileStem());
        RevocationGuard.Verdict verdict = RevocationGuard.judge(mark, r);
        if (!verdict.accepted) {
          String why = RevocationGuard.refusal(verdict, mark, r);
          if (verdict == RevocationGuard.Verdict.ROLLBACK) {
            log.error("StapleKeeper ignored stored OCSP response {} for {}: {}", s.name, id, why);
          } else {
            log.warn("StapleKeeper ignored stored OCSP response {} for {}: {}", s.name, id, why);
          }
          continue;
        }
        stored.put(id, new StoredResponse(s, r));
        StapleEntry live = cache.entry(id);
        if (live != null) {
          live.raiseMark(mark);
          useStored(live);
        }
        loaded++;
        log.info(
            "StapleKeeper loaded stored OCSP response {} for {} ({}): {} left; stapled once the"
                + " server presents this certificate",
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

  /**
   * Reads the persisted high-water marks. A mark dated after now (beyond the validator's clock
   * skew) cannot come from an accepted response: it is ignored with a WARNING, so a planted mark
   * cannot make StapleKeeper refuse every real response.
   */
  private void loadMarks() {
    Instant latest = clock.instant().plus(validator.maxClockSkew());
    for (Map.Entry<String, HighWaterMark> e : store.loadMarks().entrySet()) {
      HighWaterMark m = e.getValue();
      if (m.thisUpdate().isAfter(latest)) {
        log.warn(
            "StapleKeeper ignored the stored high-water mark of {}: {} is in the future (now {})",
            e.getKey(),
            m,
            clock.instant());
        continue;
      }
      storedMarks.merge(e.getKey(), m, HighWaterMark::max);
    }
    for (StapleEntry live : cache.all()) { // certificates presented while the store was read
      live.raiseMark(storedMarks.get(live.id.fileStem()));
    }
  }

  /**
   * Gives {@code entry} (a certificate the server presents) the stored response of the same
   * certificate, if one was loaded and is newer than what it holds; null when none was used.
   */
  private ValidatedResponse useStored(StapleEntry entry) {
    StoredResponse s = stored.remove(entry.id);
    if (s == null) {
      return null;
    }
    if (!StoredResponse.sameCertificate(s.stored.cert, entry.cert)) {
      log.warn(
          "StapleKeeper ignored stored OCSP response {}: the certificate in the file is not the"
              + " one the server presents (same CertID {}, different certificate)",
          s.stored.name,
          entry.id);
      return null;
    }
    ValidatedResponse r = s.response;
    ValidatedResponse held = entry.current();
    if (!r.isUsableAt(clock.instant())
        || (held != null && !r.thisUpdate().isAfter(held.thisUpdate()))
        || !entry.offer(r).accepted) {
      return null;
    }
    entry.firstAttempt().complete(null);
    return r;
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
      cycle.start(entry);
    }
  }

  /** Stops all background work. */
  public void close() {
    cache.clear();
    cycle.shutdown();
  }

  private boolean stapleable(ValidatedResponse r) {
    return r.status() == ValidatedResponse.Status.GOOD || settings.stapleRevoked();
  }

  /**
   * Waits, up to {@code coldWait} in all, for the first fetch of each certificate in {@code cold}
   * ({@code entries} holds their entries, index by index), then adds what arrived to {@code out}.
   */
  private Map<X509Certificate, byte[]> awaitCold(
      List<X509Certificate> cold, List<StapleEntry> entries, Map<X509Certificate, byte[]> out) {
    long deadline = System.nanoTime() + settings.coldWait().toNanos();
    for (StapleEntry e : entries) {
      long left = deadline - System.nanoTime();
      try {
        if (left <= 0) {
          throw new TimeoutException();
        }
        e.firstAttempt().get(left, TimeUnit.NANOSECONDS);
      } catch (TimeoutException timedOut) {
        e.markColdWaitSpent();
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
    StapleCache.Resolution resolved = cache.resolution(cert);
    if (resolved == null) {
      resolved = resolve(cert, issuer);
      cache.putResolution(cert, resolved);
    }
    if (resolved == StapleCache.NO_RESPONDER) {
      return null;
    }
    URI responder = resolved.responder;
    StapleEntry entry = cache.entry(resolved.id);
    if (entry == null) {
      entry = cache.entry(resolved.id, id -> newEntry(id, cert, issuer, responder));
    }
    if (entry.markStarted()) {
      entry.trackedSince(clock.instant());
      boolean again = cache.wasEvicted(entry.id);
      if (again) {
        entry.markColdWaitSpent(); // it was known before: handshakes do not wait for it again
      }
      ValidatedResponse fromStore = entry.current();
      if (fromStore == null) {
        cycle.start(entry);
      } else {
        cycle.startAfterLoad(entry, fromStore);
      }
      // Logged once the fetch is on its way: the first log line of a JVM can take tens of
      // milliseconds (logging set-up, date formats), which the first handshake need not wait for.
      if (again) {
        log.debug("StapleKeeper tracks {} [{}] again after eviction", subject(cert), entry.id);
      } else {
        log.info(
            "StapleKeeper now stapling {} [{}], responder {}", subject(cert), entry.id, responder);
      }
    }
    return entry;
  }

  /**
   * A new entry with its stored high-water mark and stored response already attached: it is
   * published only after that, so a second handshake that finds it never sees it empty while the
   * first is still attaching what the store had.
   */
  private StapleEntry newEntry(CertId id, X509Certificate cert, X509Certificate issuer, URI uri) {
    StapleEntry entry = new StapleEntry(id, cert, issuer, uri, clock.millis());
    if (!storedMarks.isEmpty()) {
      entry.raiseMark(storedMarks.get(id.fileStem()));
    }
    if (!stored.isEmpty()) {
      useStored(entry);
    }
    return entry;
  }

  /**
   * Lets {@code e} go if no scanned context presents it and no handshake asked for it during {@code
   * retireAfter} (zero: one validity window of its held response, or of the retry cap when none is
   * held). Called by the fetch cycle when a fetch of {@code e} is due.
   */
  private boolean letGoIfRetired(StapleEntry e) {
    Instant now = clock.instant();
    Duration idle = Duration.ofMillis(now.toEpochMilli() - e.lastAskedMillis());
    Duration limit = settings.retireAfter();
    if (limit.isZero()) {
      ValidatedResponse held = e.current();
      limit = held != null ? held.validity() : settings.retryMaxBackoff();
    }
    if (idle.compareTo(limit) < 0 || presenters.isPresented(e.id)) {
      return false;
    }
    e.close();
    cache.remove(e.id);
    store.delete(e.id, "retired");
    log.info(
        "StapleKeeper let go of {} [{}]: no server context presents it and no handshake asked for"
            + " it in {}; no longer refreshed, removed from cache and store",
        subject(e.cert),
        e.id,
        human(idle));
    return true;
  }

  private StapleCache.Resolution resolve(X509Certificate cert, X509Certificate issuer) {
    URI responder = resolver.responderFor(cert);
    if (responder == null) {
      log.debug("{} has no OCSP responder URL; left alone", subject(cert));
      return StapleCache.NO_RESPONDER;
    }
    String wrongIssuer = IssuerCheck.problem(cert, issuer);
    if (wrongIssuer != null) {
      chainWarnings.wrongIssuer(cert, issuer, wrongIssuer);
      return StapleCache.NO_RESPONDER;
    }
    return new StapleCache.Resolution(CertId.of(cert, issuer), responder);
  }

  /**
   * A chain of one certificate: nothing can be stapled; says so once if the certificate has a
   * responder. After the first look only an identity lookup per handshake.
   */
  private void checkLeafOnly(X509Certificate leaf) {
    if (leaf == null || chainWarnings.seenLeafOnly(leaf)) {
      return;
    }
    chainWarnings.leafOnly(leaf, resolver.responderFor(leaf) != null);
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
