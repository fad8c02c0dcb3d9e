package dev.staplekeeper.agent.staple;

import dev.staplekeeper.agent.ocsp.CertId;
import java.net.URI;

/** Where the DER bytes of an OCSP response come from: the HTTP fetcher, in production. */
@FunctionalInterface
public interface ResponseSource {
  /**
   * Fetches the response for {@code id} from {@code responder}.
   *
   * @throws Exception any failure; its message goes into the log line, so it should say what
   *     happened and where
   */
  byte[] fetch(URI responder, CertId id) throws Exception;
}
