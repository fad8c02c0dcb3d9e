package dev.staplekeeper.testapps.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OptionsTest {
  private static final Set<String> VALUED = Set.of("port", "validity", "dir");
  private static final Set<String> FLAGS = Set.of("watch");

  @Test
  void parsesValuesFlagsAndPositionals() {
    Options o =
        Options.parse(
            "x", new String[] {"--port", "80", "--validity=2m", "--watch", "count"}, VALUED, FLAGS);
    assertThat(o.port("port", 0)).isEqualTo(80);
    assertThat(o.duration("validity", null)).isEqualTo(Duration.ofMinutes(2));
    assertThat(o.flag("watch")).isTrue();
    assertThat(o.positional()).containsExactly("count");
    assertThat(o.string("dir", "d")).isEqualTo("d");
  }

  @Test
  void namesTheOptionInErrors() {
    assertThatThrownBy(() -> Options.parse("x", new String[] {"--nope"}, VALUED, FLAGS))
        .hasMessage("unknown option --nope for 'x'");
    assertThatThrownBy(() -> Options.parse("x", new String[] {"--port"}, VALUED, FLAGS))
        .hasMessage("option --port needs a value");
    assertThatThrownBy(() -> Options.parse("x", new String[] {"--watch=1"}, VALUED, FLAGS))
        .hasMessage("option --watch takes no value");
    Options o =
        Options.parse("x", new String[] {"--port", "http", "--validity", "soon"}, VALUED, FLAGS);
    assertThatThrownBy(() -> o.port("port", 0)).hasMessageContaining("--port must be an integer");
    assertThatThrownBy(() -> o.duration("validity", null)).hasMessageContaining("--validity");
    assertThatThrownBy(() -> o.required("dir")).hasMessage("missing option --dir");
    Options big = Options.parse("x", new String[] {"--port", "70000"}, VALUED, FLAGS);
    assertThatThrownBy(() -> big.port("port", 0)).hasMessageContaining("0..65535");
  }
}
