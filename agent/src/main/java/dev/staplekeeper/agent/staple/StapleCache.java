package dev.staplekeeper.agent.staple;

import dev.staplekeeper.agent.log.AgentLog;
import dev.staplekeeper.agent.ocsp.CertId;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The two bounded maps behind the handshake path:
 *
 * <ul>
 *   <li>certificate object (by identity, weakly held) to its {@link Resolution}, so a handshake for
 *       a certificate seen before does no hashing or parsing;
 *   <li>{@link CertId} to its {@link StapleEntry}, so every copy of the same certificate shares one
 *       response, one refresh schedule and one fetch in flight.
 * </ul>
 *
 * Both are read without locks and without allocation on a hit ({@link WeakIdentityLruMap}, {@link
 * LruMap}). An entry pushed out by the size bound is closed (its timer cancelled) and its CertId
 * remembered (a bounded set of ids, no certificates or responses), so that when it is asked for
 * again it is fetched again without making handshakes wait. The first such eviction logs one
 * WARNING saying to raise {@code cacheSize}.
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

  private final WeakIdentityLruMap<X509Certificate, Resolution> resolutions;
  private final LruMap<CertId, StapleEntry> entries;
  private final LruMap<CertId, Boolean> evicted;
  private final int maximumSize;
  private final AtomicBoolean warned = new AtomicBoolean();

  StapleCache(int maximumSize) {
    this.maximumSize = maximumSize;
    evicted = new LruMap<>(4 * maximumSize, null);
    resolutions = new WeakIdentityLruMap<>(4 * maximumSize);
    entries = new LruMap<>(maximumSize, new OnEviction());
  }

  /** An entry the size bound pushed out: closed, its id remembered, the first one logged. */
  private final class OnEviction implements BiConsumer<CertId, StapleEntry> {
    @Override
    public void accept(CertId id, StapleEntry e) {
      e.close();
      evicted.putIfAbsent(id, Boolean.TRUE);
      warnOnce(e);
    }
  }

  Resolution resolution(X509Certificate cert) {
    return resolutions.get(cert);
  }

  void putResolution(X509Certificate cert, Resolution resolution) {
    resolutions.put(cert, resolution);
  }

  StapleEntry entry(CertId id) {
    return entries.get(id);
  }

  StapleEntry entry(CertId id, Function<CertId, StapleEntry> create) {
    return entries.computeIfAbsent(id, create);
  }

  List<StapleEntry> all() {
    return entries.values();
  }

  /** True if {@code id} was pushed out by the size bound (it is then forgotten as evicted). */
  boolean wasEvicted(CertId id) {
    return evicted.remove(id) != null;
  }

  /** Drops {@code id}'s entry (not an eviction: it is not remembered). */
  void remove(CertId id) {
    entries.remove(id);
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
    entries.clear();
    resolutions.clear();
  }
}
