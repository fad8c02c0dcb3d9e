package dev.staplekeeper.agent;

import dev.staplekeeper.agent.config.AgentConfig;
import dev.staplekeeper.agent.ocsp.OcspFetcher;
import dev.staplekeeper.agent.ocsp.ResponderUris;
import dev.staplekeeper.agent.staple.ResponseSource;
import dev.staplekeeper.agent.staple.StapleService;

/** Connects the staple service to the OCSP fetcher and responder lookup. */
final class OcspWiring {
  private OcspWiring() {}

  static ResponseSource source(AgentConfig config) {
    OcspFetcher fetcher =
        new OcspFetcher(config.connectTimeout(), config.fetchTimeout(), config.maxResponseBytes())
            .withPostOnly(config.httpPostOnly())
            .withProxy(config.proxy());
    return fetcher::fetch;
  }

  static StapleService.ResponderResolver resolver(AgentConfig config) {
    return cert ->
        ResponderUris.responderFor(cert, config.responderUri(), config.responderOverride())
            .orElse(null);
  }
}
