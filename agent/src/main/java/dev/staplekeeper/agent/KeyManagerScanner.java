package dev.staplekeeper.agent;

import dev.staplekeeper.agent.log.AgentLog;
import dev.staplekeeper.agent.staple.StapleService;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.KeyManager;
import javax.net.ssl.X509KeyManager;

/**
 * Finds the certificate chains a server context will present, from the key managers it was
 * initialised with, and hands them to the prefetch; each key manager's latest scan is what it
 * presents (a certificate no live key manager presents may be let go once idle). Runs off the
 * thread that called {@code SSLContext.init}; a key manager that cannot list its aliases
 * (SNI-selecting ones, say) is skipped: its chains are picked up at their first handshake instead.
 */
final class KeyManagerScanner {
  private static final AgentLog log = AgentLog.get(KeyManagerScanner.class);
  private static final String[] KEY_TYPES = {
    "RSA", "EC", "RSASSA-PSS", "EdDSA", "Ed25519", "Ed448", "DSA"
  };

  private final StapleService service;

  KeyManagerScanner(StapleService service) {
    this.service = service;
  }

  void scan(KeyManager[] keyManagers) {
    for (KeyManager km : keyManagers) {
      if (!(km instanceof X509KeyManager)) {
        continue;
      }
      X509KeyManager x509 = (X509KeyManager) km;
      Set<String> aliases = new HashSet<>();
      for (String keyType : KEY_TYPES) {
        try {
          String[] found = x509.getServerAliases(keyType, null);
          if (found != null) {
            for (String a : found) {
              aliases.add(a);
            }
          }
        } catch (RuntimeException e) {
          log.debug(
              "key manager {} cannot list {} aliases: {}",
              km.getClass().getName(),
              keyType,
              e.toString());
        }
      }
      List<X509Certificate[]> chains = new ArrayList<>();
      for (String alias : aliases) {
        try {
          X509Certificate[] chain = x509.getCertificateChain(alias);
          if (chain != null && chain.length > 0) {
            log.debug(
                "prefetching OCSP for alias {} ({})", alias, chain[0].getSubjectX500Principal());
            chains.add(chain);
          }
        } catch (RuntimeException e) {
          log.debug("cannot read chain of alias {}: {}", alias, e.toString());
        }
      }
      service.presented(km, chains);
    }
  }
}
