package dev.staplekeeper.agent.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Lines said while {@link AgentLog} holds (the background start) reach java.util.logging only at
 * {@link AgentLog#release}, in order, with their original time and source, and then pass the
 * logger's level; afterwards lines go straight out again.
 */
class AgentLogHoldTest {
  private static final AgentLog log = AgentLog.get(AgentLogHoldTest.class);

  @AfterEach
  void released() {
    AgentLog.release();
  }

  @Test
  void heldLinesComeOutAtReleaseInOrder() {
    try (CapturedLog captured = new CapturedLog(Level.INFO)) {
      AgentLog.holdUntilReleased();
      log.info("StapleKeeper first {}", 1);
      log.warn("StapleKeeper second {}", 2);
      log.debug("StapleKeeper not kept: below INFO and logLevel unset");
      assertThat(captured.records()).as("nothing out while held").isEmpty();

      AgentLog.release();
      assertThat(captured.records())
          .extracting(LogRecord::getMessage)
          .containsExactly("StapleKeeper first 1", "StapleKeeper second 2");
      LogRecord first = captured.records().get(0);
      assertThat(first.getSourceClassName()).isEqualTo(AgentLogHoldTest.class.getName());
      assertThat(first.getSourceMethodName()).isEqualTo("heldLinesComeOutAtReleaseInOrder");

      log.info("StapleKeeper after release");
      assertThat(captured.records()).hasSize(3);
    }
  }

  @Test
  void theLoggersLevelAppliesAtRelease() {
    try (CapturedLog captured = new CapturedLog(Level.WARNING)) {
      AgentLog.holdUntilReleased();
      log.info("StapleKeeper info, kept but below the logger's level");
      log.error("StapleKeeper error");
      AgentLog.release();

      assertThat(captured.records())
          .extracting(LogRecord::getMessage)
          .containsExactly("StapleKeeper error");
    }
  }
}
