package dev.staplekeeper.agent.staple;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import dev.staplekeeper.agent.ocsp.CertId;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The two bounded maps behind the handshake path, both Caffeine:
 *
 * <ul>
 *   <li>certificate object (by identity, weakly held) to its {@link Key}, so a handshake for a
 *       certificate seen before does no hashing or parsing;
 *   <li>{@link CertId} to its {@link StapleEntry}, so every copy of the same certificate shares one
 *       response, one refresh schedule and one fetch in flight.
 * </ul>
 *
 * An entry pushed out by the size bound is closed (its timer cancelled).
 */
final class StapleCache {
  /** What a certificate maps to: its CertId and responder, or {@link #NO_RESPONDER}. */
  static final class Key {
    final CertId id;
    final java.net.URI responder;

    Key(CertId id, java.net.URI responder) {
      this.id = id;
      this.responder = responder;
    }
  }

  /** A certificate StapleKeeper leaves alone: no OCSP URL and no configured responder. */
  static final Key NO_RESPONDER = new Key(null, null);

  private final Cache<X509Certificate, Key> keys;
  private final Cache<CertId, StapleEntry> entries;

  StapleCache(int maximumSize) {
    keys = Caffeine.newBuilder().weakKeys().maximumSize(4L * maximumSize).build();
    entries =
        Caffeine.newBuilder()
            .maximumSize(maximumSize)
            .executor(Runnable::run)
            .removalListener(
                (CertId id, StapleEntry e, RemovalCause cause) -> {
                  if (e != null && cause.wasEvicted()) {
                    e.close();
                  }
                })
            .build();
  }

  Key key(X509Certificate cert) {
    return keys.getIfPresent(cert);
  }

  void putKey(X509Certificate cert, Key key) {
    keys.put(cert, key);
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

  void clear() {
    for (StapleEntry e : all()) {
      e.close();
    }
    entries.invalidateAll();
    keys.invalidateAll();
  }
}
