package dev.staplekeeper.bench.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StatsTest {
  @Test
  void percentilesAreNearestRank() {
    long[] v = new long[100];
    for (int i = 0; i < 100; i++) {
      v[i] = 100 - i;
    }
    long[] s = Stats.sorted(v);
    assertThat(Stats.percentile(s, 50)).isEqualTo(50);
    assertThat(Stats.percentile(s, 99)).isEqualTo(99);
    assertThat(Stats.percentile(s, 100)).isEqualTo(100);
    assertThat(Stats.percentile(new long[] {7}, 99)).isEqualTo(7);
    assertThat(Stats.percentile(new long[0], 50)).isNaN();
  }

  @Test
  void medianOfOddAndEvenCounts() {
    assertThat(Stats.median(List.of(3.0, 1.0, 2.0))).isEqualTo(2.0);
    assertThat(Stats.median(List.of(4.0, 1.0, 2.0, 3.0))).isEqualTo(2.5);
  }

  @Test
  void millisecondsFormatting() {
    assertThat(Stats.ms(5_049_000_000.0)).isEqualTo("5049");
    assertThat(Stats.ms(12_340_000)).isEqualTo("12.3");
  }

  @Test
  void argsParseDurationsAndRejectUnknownOptions() {
    Args a =
        Args.parse(
            new String[] {"--duration", "15s", "--idle", "500ms"}, Set.of("duration", "idle"));
    assertThat(a.duration("duration", "1s")).isEqualTo(Duration.ofSeconds(15));
    assertThat(a.duration("idle", "1s")).isEqualTo(Duration.ofMillis(500));
    assertThat(a.integer("threads", 4)).isEqualTo(4);
    assertThatThrownBy(() -> Args.parse(new String[] {"--nope", "1"}, Set.of("duration")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--nope");
  }
}
