package dev.staplekeeper.agent.staple;

import dev.staplekeeper.agent.ocsp.CertId;
import dev.staplekeeper.agent.ocsp.ValidatedResponse;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;

/**
 * Keeps the last accepted response of each certificate across restarts. Implementations never
 * throw: a store that cannot write logs why and StapleKeeper goes on in memory.
 */
public interface ResponseStore {
  /** A stored response with the certificates needed to re-validate it. Not yet trusted. */
  final class Stored {
    public final String name;
    public final X509Certificate cert;
    public final X509Certificate issuer;
    public final byte[] der;

    public Stored(String name, X509Certificate cert, X509Certificate issuer, byte[] der) {
      this.name = name;
      this.cert = cert;
      this.issuer = issuer;
      this.der = der;
    }
  }

  /**
   * Keeps {@code response} as the last accepted response of {@code cert}, replacing an older one,
   * and raises the certificate's persisted {@link HighWaterMark} to the response's (never lowering
   * it). The mark outlives the response: {@link #delete} leaves it.
   */
  void save(X509Certificate cert, X509Certificate issuer, ValidatedResponse response);

  /** Everything readable in the store; unreadable entries are logged and skipped. */
  List<Stored> loadAll();

  /**
   * The persisted high-water marks, by {@link CertId#fileStem()}; unreadable ones are logged and
   * skipped. Not trusted beyond what a mark can do: it can only make StapleKeeper refuse responses
   * at or before its time.
   */
  default Map<String, HighWaterMark> loadMarks() {
    return Map.of();
  }

  /** Forgets the stored response of {@code id} (not its high-water mark), e.g. once it expired. */
  void delete(CertId id, String why);

  /** The store of a memory-only configuration. */
  ResponseStore NONE =
      new ResponseStore() {
        @Override
        public void save(X509Certificate cert, X509Certificate issuer, ValidatedResponse r) {}

        @Override
        public List<Stored> loadAll() {
          return List.of();
        }

        @Override
        public void delete(CertId id, String why) {}
      };
}
