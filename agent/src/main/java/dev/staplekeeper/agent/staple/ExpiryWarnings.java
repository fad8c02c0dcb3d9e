package dev.staplekeeper.agent.staple;

import dev.staplekeeper.agent.ocsp.ValidatedResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When to tell the operator that a certificate's staple is running out while its responder keeps
 * failing. Plain policy, no logging: the caller logs what {@link #onFailure} returns.
 *
 * <p>Contract, per certificate (the key):
 *
 * <ul>
 *   <li>Fed every failed fetch ({@link #onFailure}) and every good response ({@link #onSuccess}).
 *   <li>No warning while the held response has at least a quarter of its validity window left and
 *       the next attempt is due before its nextUpdate.
 *   <li>Otherwise one {@link Level#WARNING} per halving of the time left: below 1/4 of the window,
 *       then below 1/8, 1/16, ... (a next attempt due after nextUpdate counts as below 1/4). A step
 *       is reported once, even when several failures fall into it.
 *   <li>One {@link Level#SEVERE} when nothing valid is left to staple (no response held, or past
 *       its nextUpdate); not repeated until a good response has arrived.
 *   <li>{@link #onSuccess} starts over.
 * </ul>
 *
 * <p>Thread safety: calls for one key come from the one fetch in flight for it; different keys may
 * be fed concurrently.
 */
final class ExpiryWarnings {
  /** How loud. */
  enum Level {
    WARNING,
    SEVERE
  }

  /** What to say: the level, the time left (zero when nothing is left) and the window. */
  static final class Warning {
    final Level level;
    final Duration left;
    final Duration window;

    Warning(Level level, Duration left, Duration window) {
      this.level = level;
      this.left = left;
      this.window = window;
    }

    @Override
    public String toString() {
      return level + " left=" + left + " window=" + window;
    }
  }

  /** Steps already reported, per key: the halving step last warned about, and SEVERE. */
  private static final class Reported {
    int step = -1;
    boolean severe;
  }

  private final Map<Object, Reported> reported = new ConcurrentHashMap<>();

  /**
   * A failed fetch for {@code key} at {@code now}; {@code held} is the response still held (or
   * null) and {@code nextAttempt} when the next fetch is due. Returns what to log, or null.
   */
  Warning onFailure(Object key, ValidatedResponse held, Instant now, Instant nextAttempt) {
    Reported r = reported.computeIfAbsent(key, k -> new Reported());
    if (held == null || !held.isUsableAt(now)) {
      if (r.severe) {
        return null;
      }
      r.severe = true;
      return new Warning(
          Level.SEVERE, Duration.ZERO, held == null ? Duration.ZERO : held.validity());
    }
    long window = Math.max(1, held.validity().toMillis());
    long left = Duration.between(now, held.nextUpdate()).toMillis();
    long quarter = window / 4;
    boolean retryTooLate = nextAttempt != null && !nextAttempt.isBefore(held.nextUpdate());
    if (left >= quarter && !retryTooLate) {
      return null;
    }
    int step = 0;
    for (long t = quarter / 2; left < t && step < 62; t /= 2) {
      step++;
    }
    if (step <= r.step) {
      return null;
    }
    r.step = step;
    return new Warning(Level.WARNING, Duration.ofMillis(left), held.validity());
  }

  /** A good response arrived for {@code key}: the next shortage is reported from the start. */
  void onSuccess(Object key) {
    reported.remove(key);
  }
}
