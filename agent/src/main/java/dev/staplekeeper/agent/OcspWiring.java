package dev.staplekeeper.agent;

import dev.staplekeeper.agent.config.AgentConfig;
import dev.staplekeeper.agent.staple.ResponseSource;
import dev.staplekeeper.agent.staple.StapleService;

/** Connects the staple service to the OCSP fetcher and responder lookup. */
final class OcspWiring {
  private OcspWiring() {}

  static ResponseSource source(AgentConfig config) {
    return (uri, id) -> {
      throw new UnsupportedOperationException("fetcher not wired yet");
    };
  }

  static StapleService.ResponderResolver resolver(AgentConfig config) {
    return cert -> config.responderUri();
  }
}
