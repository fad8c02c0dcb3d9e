package dev.staplekeeper.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.staplekeeper.agent.instrumentation.TransformerGate;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The order DeferredStart promises: gate settled, then (when allowed) the outcome, then done. */
class DeferredStartTest {
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final CountDownLatch done = new CountDownLatch(1);
  private final TransformerGate gate = new TransformerGate(Set.of("x/Y"), 1, TimeUnit.SECONDS);

  @Test
  void backgroundOutcomeWaitsForTheApplicationsFirstTlsContext() throws Exception {
    StartAnnouncement announcement = new StartAnnouncement(System.nanoTime(), 1, TimeUnit.MINUTES);
    DeferredStart.run(
        true,
        gate,
        () -> {
          events.add("work");
          return () -> events.add("outcome gate settled=" + gate.isSettled());
        },
        t -> () -> events.add("failure"),
        announcement,
        this::done);

    Thread.sleep(300);
    assertThat(events).containsExactly("work");
    assertThat(gate.isSettled()).as("a failed/ended start never keeps classes waiting").isTrue();
    announcement.tlsContextInitialized();
    assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(events).containsExactly("work", "outcome gate settled=true", "done");
  }

  @Test
  void backgroundOutcomeIsLoggedAtTheLatestAfterTheDeadline() throws Exception {
    StartAnnouncement announcement =
        new StartAnnouncement(System.nanoTime(), 200, TimeUnit.MILLISECONDS);
    DeferredStart.run(
        true,
        gate,
        () -> {
          throw new IllegalStateException("boom");
        },
        t -> () -> events.add("failure " + t.getMessage()),
        announcement,
        this::done);

    assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(events).containsExactly("failure boom", "done");
  }

  @Test
  void onAttachTheOutcomeIsLoggedAtOnce() {
    StartAnnouncement neverAllowed = new StartAnnouncement(System.nanoTime(), 1, TimeUnit.HOURS);
    DeferredStart.run(
        false, gate, () -> () -> events.add("outcome"), t -> () -> {}, neverAllowed, this::done);

    assertThat(events).containsExactly("outcome", "done");
  }

  private void done() {
    events.add("done");
    done.countDown();
  }
}
