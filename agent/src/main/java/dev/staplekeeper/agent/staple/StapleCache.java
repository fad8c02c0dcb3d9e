package dev.staplekeeper.agent.staple;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import dev.staplekeeper.agent.log.AgentLog;
import dev.staplekeeper.agent.ocsp.CertId;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * The two bounded maps behind the handshake path, both Caffeine:
 *
 * <ul>
 *   <li>certificate object (by identity, weakly held) to its {@link Resolution}, so a handshake for
 *       a certificate seen before does no hashing or parsing;
 *   <li>{@link CertId} to its {@link StapleEntry}, so every copy of the same certificate shares one
 *       response, one refresh schedule and one fetch in flight.
 * </ul>
 *
 * An entry pushed out by the size bound is closed (its timer cancelled) and its CertId remembered
 * (a bounded set of ids, no certificates or responses), so that when it is asked for again it is
 * fetched again without making handshakes wait. The first such eviction logs one WARNING saying to
 * raise {@code cacheSize}.
 */
final class StapleCache {
  private static final AgentLog log = AgentLog.get(StapleCache.class);

  /** What a certificate resolves to: its CertId and responder, or {@link #NO_RESPONDER}. */
  static final class Resolution {
    final CertId id;
    final java.net.URI responder;

    Resolution(CertId id, java.net.URI responder) {
      this.id = id;
      this.responder = responder;
    }
  }

  /** A certificate StapleKeeper leaves alone: no OCSP URL and no configured responder. */
  static final Resolution NO_RESPONDER = new Resolution(null, null);

  private final Cache<X509Certificate, Resolution> resolutions;
  private final Cache<CertId, StapleEntry> entries;
  private final Cache<CertId, Boolean> evicted;
  private final int maximumSize;
  private final AtomicBoolean warned = new AtomicBoolean();

  StapleCache(int maximumSize) {
    this.maximumSize = maximumSize;
    evicted = Caffeine.newBuilder().maximumSize(4L * maximumSize).build();
    resolutions = Caffeine.newBuilder().weakKeys().maximumSize(4L * maximumSize).build();
    entries =
        Caffeine.newBuilder()
            .maximumSize(maximumSize)
            .executor(Runnable::run)
            .removalListener(
                (CertId id, StapleEntry e, RemovalCause cause) -> {
                  if (e != null && cause.wasEvicted()) {
                    e.close();
                    evicted.put(id, Boolean.TRUE);
                    warnOnce(e);
                  }
                })
            .build();
  }

  Resolution resolution(X509Certificate cert) {
    return resolutions.getIfPresent(cert);
  }

  void putResolution(X509Certificate cert, Resolution resolution) {
    resolutions.put(cert, resolution);
  }

  StapleEntry entry(CertId id) {
    return entries.getIfPresent(id);
  }

  StapleEntry entry(CertId id, Function<CertId, StapleEntry> create) {
    return entries.get(id, create);
  }

  List<StapleEntry> all() {
    return new ArrayList<>(entries.asMap().values());
  }

  /** True if {@code id} was pushed out by the size bound (it is then forgotten as evicted). */
  boolean wasEvicted(CertId id) {
    return evicted.asMap().remove(id) != null;
  }

  /** Drops {@code id}'s entry (not an eviction: it is not remembered). */
  void remove(CertId id) {
    entries.invalidate(id);
  }

  private void warnOnce(StapleEntry e) {
    if (warned.compareAndSet(false, true)) {
      log.warn(
          "StapleKeeper: more certificates in use than cacheSize={} (at least {}); the least"
              + " recently used ({}) was dropped and is fetched again when asked for, costing"
              + " responder requests. Raise cacheSize above the number of certificates your"
              + " servers present",
          maximumSize,
          maximumSize + 1,
          StapleService.subject(e.cert));
    }
  }

  void clear() {
    for (StapleEntry e : all()) {
      e.close();
    }
    entries.invalidateAll();
    resolutions.invalidateAll();
  }
}
