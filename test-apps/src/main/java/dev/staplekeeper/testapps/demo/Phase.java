package dev.staplekeeper.testapps.demo;

import dev.staplekeeper.testapps.responder.FaultMode;

/**
 * One step of the outage: the responder is in {@code mode} for {@code seconds}.
 *
 * @param what one sentence for the phase banner, e.g. "connections are refused"
 */
public record Phase(FaultMode mode, int seconds, String what) {
  public Phase {
    if (seconds <= 0) {
      throw new IllegalArgumentException("phase length must be positive: " + seconds);
    }
  }

  /** Whether the responder cannot give a good answer in this phase. */
  public boolean fault() {
    return mode != FaultMode.HEALTHY;
  }
}
