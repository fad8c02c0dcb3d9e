package dev.staplekeeper.testapps.time;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one duration grammar of the test apps, their control endpoint, the demo and the benchmark
 * drivers: a whole number with a unit {@code ms}, {@code s}, {@code m}, {@code h} or {@code d}
 * ({@code 500ms}, {@code 120s}, {@code 2m}, {@code 1h}, {@code 1d}), a bare number of seconds, or
 * ISO-8601 ({@code PT2M}). Case does not matter.
 */
public final class Durations {
  private static final Pattern WITH_UNIT = Pattern.compile("(\\d+)(ms|s|m|h|d)?");

  private Durations() {}

  /**
   * @throws IllegalArgumentException naming the text and the grammar
   */
  public static Duration parse(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    Matcher m = WITH_UNIT.matcher(t);
    if (m.matches()) {
      long n;
      try {
        n = Long.parseLong(m.group(1));
      } catch (NumberFormatException e) {
        throw notADuration(text);
      }
      String unit = m.group(2) == null ? "s" : m.group(2);
      return switch (unit) {
        case "ms" -> Duration.ofMillis(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        case "d" -> Duration.ofDays(n);
        default -> Duration.ofSeconds(n);
      };
    }
    try {
      return Duration.parse(t.toUpperCase(Locale.ROOT));
    } catch (DateTimeParseException e) {
      throw notADuration(text);
    }
  }

  private static IllegalArgumentException notADuration(String text) {
    return new IllegalArgumentException(
        "not a duration: '" + text + "' (use e.g. 500ms, 120s, 2m, 1h, 1d or PT2M)");
  }
}
