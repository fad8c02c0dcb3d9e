package dev.staplekeeper.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.staplekeeper.agent.config.AgentConfig;
import dev.staplekeeper.agent.log.CapturedLog;
import dev.staplekeeper.agent.ocsp.ValidatedResponse;
import dev.staplekeeper.agent.staple.StapleService;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

/**
 * The start-up warm-up runs the whole first-fetch path on its bundled certificate and response,
 * with the service exactly as the agent wires it, and leaves no trace: nothing tracked, nothing
 * logged above DEBUG. If the bundled files stop validating (a stricter validator, a changed
 * format), this fails instead of the warm-up silently warming nothing.
 */
class FetchPathWarmupTest {
  @Test
  void rehearsesTheWholeFirstFetchPathAndLeavesNoTrace() {
    StapleService service = StapleWiring.service(AgentConfig.defaults()).build();
    try (CapturedLog log = new CapturedLog(Level.INFO)) {
      ValidatedResponse r = FetchPathWarmup.run(service);

      assertThat(r).as("the bundled response validated").isNotNull();
      assertThat(r.status()).isEqualTo(ValidatedResponse.Status.GOOD);
      assertThat(service.describe()).as("nothing tracked").isEmpty();
      assertThat(log.records()).as("nothing logged at INFO or above").isEmpty();
    } finally {
      service.close();
    }
  }
}
