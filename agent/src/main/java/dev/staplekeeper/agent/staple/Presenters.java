package dev.staplekeeper.agent.staple;

import dev.staplekeeper.agent.ocsp.CertId;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * Which certificates the server contexts present: for each presenter (a key manager the agent
 * scanned), the CertIds of its latest scan. A presenter is held weakly, so a context that was
 * replaced (a reloaded keystore, a stopped connector) stops presenting once it is collected; a new
 * scan of the same presenter replaces its set.
 *
 * <p>Read only when a certificate's refresh is due (rarely), never on the handshake path.
 */
final class Presenters {
  private final Map<Object, Set<CertId>> byPresenter = new WeakHashMap<>();

  synchronized void presents(Object presenter, Set<CertId> ids) {
    byPresenter.put(presenter, Set.copyOf(ids));
  }

  synchronized boolean isPresented(CertId id) {
    for (Set<CertId> ids : byPresenter.values()) {
      if (ids.contains(id)) {
        return true;
      }
    }
    return false;
  }
}
