package dev.staplekeeper.agent;

import dev.staplekeeper.agent.config.AgentConfig;
import dev.staplekeeper.agent.config.ConfigKey;
import dev.staplekeeper.agent.ocsp.OcspFetcher;
import dev.staplekeeper.agent.ocsp.ResponderUris;
import dev.staplekeeper.agent.ocsp.ResponseValidator;
import dev.staplekeeper.agent.staple.ResponseStore;
import dev.staplekeeper.agent.staple.StapleService;
import dev.staplekeeper.agent.staple.StapleSettings;
import dev.staplekeeper.agent.store.FileResponseStore;

/**
 * How the agent builds its {@link StapleService} from the validated configuration: the core's
 * settings, the HTTP fetcher, the validator, the responder lookup and the optional file store.
 * Public so that benchmarks measure the service exactly as the agent wires it.
 */
public final class StapleWiring {
  private StapleWiring() {}

  /** The service the agent runs for {@code config}, ready to {@code build()} or adjust. */
  public static StapleService.Builder service(AgentConfig config) {
    OcspFetcher fetcher =
        new OcspFetcher(config.connectTimeout(), config.fetchTimeout(), config.maxResponseBytes())
            .withPostOnly(config.httpPostOnly())
            .withProxy(config.proxy());
    return StapleService.builder(settings(config))
        .source(fetcher::fetch)
        .validator(new ResponseValidator(config.clockSkew(), config.maxStapleBytes()))
        .resolver(
            cert ->
                ResponderUris.responderFor(cert, config.responderUri(), config.responderOverride())
                    .orElse(null))
        .store(
            config.cacheDir() == null
                ? ResponseStore.NONE
                : FileResponseStore.open(config.cacheDir(), config.cacheDirRequirePrivate()));
  }

  /** The core's share of the configuration. */
  public static StapleSettings settings(AgentConfig config) {
    return StapleSettings.builder()
        .refreshFraction(config.refreshFraction())
        .refreshJitter(config.refreshJitter())
        .retryInitialBackoff(config.retryInitialBackoff())
        .retryMaxBackoff(config.retryMaxBackoff())
        .missRetryMaxBackoff(config.get(ConfigKey.MISS_RETRY_MAX_BACKOFF))
        .missRetryInterval(config.get(ConfigKey.MISS_RETRY_INTERVAL))
        .fetchConcurrency(config.get(ConfigKey.FETCH_CONCURRENCY))
        .coldWait(config.coldWait())
        .cacheSize(config.cacheSize())
        .retireAfter(config.get(ConfigKey.RETIRE_AFTER))
        .stapleRevoked(config.stapleRevoked())
        .build();
  }
}
