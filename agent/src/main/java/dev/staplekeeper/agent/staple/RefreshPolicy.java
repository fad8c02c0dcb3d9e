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
 *   <li>After a failure: {@code initial * 2^(failures-1)}, capped, with ±25 % jitter (and never
 *       above the cap). The cap is {@code max} while a response that can still be stapled is held,
 *       and the much lower {@code missMax} while nothing valid is held, so a responder that comes
 *       back is asked again soon even without handshakes.
 *   <li>While a held response nears its end of stapling, no retry waits longer than a quarter of
 *       the time left (but at least {@code initial}): the last minutes before expiry see several
 *       attempts, not one.
 * </ul>
 */
final class RefreshPolicy {
  private final double fraction;
  private final double jitter;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final Duration missMaxBackoff;
  private final DoubleSupplier random;

  RefreshPolicy(
      double fraction,
      double jitter,
      Duration initialBackoff,
      Duration maxBackoff,
      Duration missMaxBackoff,
      DoubleSupplier random) {
    this.fraction = fraction;
    this.jitter = jitter;
    this.initialBackoff = initialBackoff;
    this.maxBackoff = maxBackoff;
    this.missMaxBackoff = missMaxBackoff.compareTo(maxBackoff) < 0 ? missMaxBackoff : maxBackoff;
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

  /**
   * Delay before retry number {@code failures} (1 for the first failure); {@code stapleUntil} is
   * when the held response stops being stapled, null when nothing is held.
   */
  Duration retryDelay(int failures, Instant stapleUntil, Instant now) {
    boolean holding = stapleUntil != null && now.isBefore(stapleUntil);
    Duration delay = backoff(failures, holding ? maxBackoff : missMaxBackoff);
    if (holding) {
      Duration quarter = Duration.between(now, stapleUntil).dividedBy(4);
      Duration bound = quarter.compareTo(initialBackoff) > 0 ? quarter : initialBackoff;
      if (delay.compareTo(bound) > 0) {
        delay = bound;
      }
    }
    return delay;
  }

  private Duration backoff(int failures, Duration cap) {
    long initial = initialBackoff.toMillis();
    long max = cap.toMillis();
    int shift = Math.min(Math.max(failures - 1, 0), 40);
    long base = initial > (max >> shift) ? max : Math.min(max, initial << shift);
    long jittered = (long) (base * (0.75 + 0.5 * random.getAsDouble()));
    return Duration.ofMillis(Math.max(1, Math.min(max, jittered)));
  }
}
