package dev.staplekeeper.agent.staple;

import dev.staplekeeper.agent.ocsp.ValidatedResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.function.DoubleSupplier;

/**
 * When to fetch again: pure arithmetic on times, so the whole schedule is testable without a clock.
 *
 * <ul>
 *   <li>After a good response: at {@code refreshFraction} of its validity window, moved earlier by
 *       up to {@code refreshJitter} of the window. If that point has already passed (responders
 *       often serve pre-signed responses), the next try halves the time left instead, so a
 *       responder that keeps returning the same response is asked a logarithmic number of times,
 *       not in a loop.
 *   <li>After a failure: {@code initial * 2^(failures-1)}, capped at {@code max}, with ±25 % jitter
 *       (and never above {@code max}).
 * </ul>
 */
final class RefreshPolicy {
  private final double fraction;
  private final double jitter;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final DoubleSupplier random;

  RefreshPolicy(
      double fraction,
      double jitter,
      Duration initialBackoff,
      Duration maxBackoff,
      DoubleSupplier random) {
    this.fraction = fraction;
    this.jitter = jitter;
    this.initialBackoff = initialBackoff;
    this.maxBackoff = maxBackoff;
    this.random = random;
  }

  /** Delay from {@code now} until the background refresh of {@code response}. */
  Duration refreshDelay(ValidatedResponse response, Instant now) {
    long window = response.validity().toMillis();
    long offset = (long) (window * (fraction - jitter * random.getAsDouble()));
    Instant point = response.thisUpdate().plusMillis(Math.max(0, offset));
    Duration untilPoint = Duration.between(now, point);
    if (untilPoint.compareTo(initialBackoff) >= 0) {
      return untilPoint;
    }
    Duration left = Duration.between(now, response.nextUpdate());
    Duration half = left.dividedBy(2);
    return half.compareTo(initialBackoff) > 0 ? half : initialBackoff;
  }

  /** Delay until the refresh of a response loaded at start: none if its refresh point passed. */
  Duration refreshDelayAfterLoad(ValidatedResponse response, Instant now) {
    long window = response.validity().toMillis();
    Instant point = response.thisUpdate().plusMillis((long) (window * fraction));
    return point.isAfter(now) ? refreshDelay(response, now) : Duration.ZERO;
  }

  /** Delay before retry number {@code failures} (1 for the first failure). */
  Duration retryDelay(int failures) {
    long initial = initialBackoff.toMillis();
    long max = maxBackoff.toMillis();
    int shift = Math.min(Math.max(failures - 1, 0), 40);
    long base = initial > (max >> shift) ? max : Math.min(max, initial << shift);
    long jittered = (long) (base * (0.75 + 0.5 * random.getAsDouble()));
    return Duration.ofMillis(Math.max(1, Math.min(max, jittered)));
  }
}
