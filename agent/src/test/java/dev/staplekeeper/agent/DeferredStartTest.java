package dev.staplekeeper.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.staplekeeper.agent.instrumentation.TransformerGate;
import dev.staplekeeper.agent.log.AgentLog;
import dev.staplekeeper.agent.log.CapturedLog;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The order DeferredStart promises: gate settled, the outcome said, done; in the background what
 * was said reaches java.util.logging only when the announcement allows.
 */
class DeferredStartTest {
  private static final AgentLog log = AgentLog.get(DeferredStartTest.class);

  private final List<String> events = new CopyOnWriteArrayList<>();
  private final CountDownLatch done = new CountDownLatch(1);
  private final TransformerGate gate = new TransformerGate(Set.of("x/Y"), 1, TimeUnit.SECONDS);

  @AfterEach
  void released() {
    AgentLog.release();
  }

  @Test
  void backgroundLinesGoOutAPauseAfterTheApplicationsFirstTlsContext() throws Exception {
    StartAnnouncement announcement =
        new StartAnnouncement(System.nanoTime(), 60_000, 400, TimeUnit.MILLISECONDS);
    try (CapturedLog captured = new CapturedLog(Level.INFO)) {
      AgentLog.holdUntilReleased();
      log.info("StapleKeeper said during the start");
      DeferredStart.run(
          true,
          gate,
          () -> {
            events.add("work");
            return () -> {
              events.add("outcome gate settled=" + gate.isSettled());
              log.info("StapleKeeper outcome");
            };
          },
          t -> () -> events.add("failure"),
          announcement,
          this::done);

      assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(events).containsExactly("work", "outcome gate settled=true", "done");
      log.info("StapleKeeper said after the start");
      Thread.sleep(300);
      assertThat(captured.records()).as("held until the first TLS context").isEmpty();

      long context = System.nanoTime();
      announcement.tlsContextInitialized();
      Thread.sleep(200);
      assertThat(captured.records()).as("held for the pause after it").isEmpty();
      assertThat(captured.await(m -> m.contains("after the start"), Duration.ofSeconds(5)))
          .isNotNull();
      assertThat(System.nanoTime() - context)
          .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(400));
      assertThat(captured.records())
          .extracting(LogRecord::getMessage)
          .containsExactly(
              "StapleKeeper said during the start",
              "StapleKeeper outcome",
              "StapleKeeper said after the start");
    }
  }

  @Test
  void backgroundLinesGoOutAtTheLatestAfterTheDeadline() throws Exception {
    StartAnnouncement announcement =
        new StartAnnouncement(System.nanoTime(), 200, 60_000, TimeUnit.MILLISECONDS);
    try (CapturedLog captured = new CapturedLog(Level.INFO)) {
      AgentLog.holdUntilReleased();
      DeferredStart.run(
          true,
          gate,
          () -> {
            throw new IllegalStateException("boom");
          },
          t ->
              () -> {
                events.add("failure " + t.getMessage());
                log.error("StapleKeeper failed: {}", t.getMessage());
              },
          announcement,
          this::done);

      assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(events).containsExactly("failure boom", "done");
      assertThat(captured.await(m -> m.contains("failed: boom"), Duration.ofSeconds(5)))
          .as("released at the deadline, without a TLS context")
          .isNotNull();
    }
  }

  @Test
  void whatWasSaidIsReleasedAlsoWhenSayingTheOutcomeThrows() throws Exception {
    StartAnnouncement announcement =
        new StartAnnouncement(System.nanoTime(), 200, 0, TimeUnit.MILLISECONDS);
    try (CapturedLog captured = new CapturedLog(Level.INFO)) {
      AgentLog.holdUntilReleased();
      log.info("StapleKeeper said during the start");
      DeferredStart.run(
          true,
          gate,
          () ->
              () -> {
                throw new IllegalStateException("saying the outcome failed");
              },
          t -> () -> {},
          announcement,
          this::done);

      assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(captured.await(m -> m.contains("during the start"), Duration.ofSeconds(5)))
          .isNotNull();
    }
  }

  @Test
  void onAttachTheOutcomeIsLoggedAtOnce() {
    StartAnnouncement neverAllowed = new StartAnnouncement(System.nanoTime(), 1, 1, TimeUnit.HOURS);
    try (CapturedLog captured = new CapturedLog(Level.INFO)) {
      DeferredStart.run(
          false,
          gate,
          () -> () -> log.info("StapleKeeper outcome"),
          t -> () -> {},
          neverAllowed,
          this::done);

      assertThat(events).containsExactly("done");
      assertThat(captured.records())
          .extracting(LogRecord::getMessage)
          .contains("StapleKeeper outcome");
    }
  }

  private void done() {
    events.add("done");
    done.countDown();
  }
}
