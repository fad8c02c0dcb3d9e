package dev.staplekeeper.testapps.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {
  @ParameterizedTest
  @CsvSource({
    "500ms, 500",
    "120s, 120000",
    "120, 120000",
    "2m, 120000",
    "1h, 3600000",
    "1d, 86400000",
    "PT2M, 120000",
    "' 15S ', 15000"
  })
  void parsesDurations(String text, long millis) {
    assertThat(Durations.parse(text).toMillis()).isEqualTo(millis);
  }

  @ParameterizedTest
  @ValueSource(strings = {"soon", "1w", "-5s", "1.5s", "", "99999999999999999999s"})
  void rejectsAnythingElseNamingTheText(String text) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a duration: '" + text + "'");
  }
}
