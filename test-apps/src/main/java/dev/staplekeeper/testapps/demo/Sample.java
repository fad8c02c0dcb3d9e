package dev.staplekeeper.testapps.demo;

import dev.staplekeeper.testapps.checker.StapleVerdict;

/**
 * One handshake of the demo's client against one server.
 *
 * @param tick second of the timeline at which the handshake started
 * @param phase index of the phase it started in
 * @param millis handshake time (TCP connect excluded), or time until the failure
 * @param stapled an OCSP response came with the handshake
 * @param valid it is one a client would accept (successful, good, signed, not expired)
 * @param secondsLeft until the staple's nextUpdate, or null
 * @param problem for a staple that is not valid, what is wrong with it; for a failed handshake, the
 *     error; null otherwise
 */
public record Sample(
    int tick,
    int phase,
    long millis,
    boolean stapled,
    boolean valid,
    Long secondsLeft,
    String problem,
    boolean failed) {

  static Sample of(int tick, int phase, StapleVerdict check) {
    String problem = null;
    if (check.stapled() && !check.validStaple()) {
      if (!"successful".equals(check.responseStatus())) {
        problem = check.responseStatus();
      } else if (check.secondsLeft() != null && check.secondsLeft() <= 0) {
        problem = "expired";
      } else if (!check.signatureValid()) {
        problem = "bad signature";
      } else {
        problem = String.valueOf(check.certStatus());
      }
    }
    return new Sample(
        tick,
        phase,
        check.handshakeMillis(),
        check.stapled(),
        check.validStaple(),
        check.secondsLeft(),
        problem,
        false);
  }

  static Sample failure(int tick, int phase, long millis, Exception e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return new Sample(tick, phase, millis, false, false, null, message, true);
  }
}
