package dev.staplekeeper.testapps;

import static org.assertj.core.api.Assertions.assertThat;

import dev.staplekeeper.testapps.cli.Command;
import dev.staplekeeper.testapps.responder.FaultMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** docs/test-apps.md must describe every command, option and fault mode the code has. */
class DocsTest {
  private static final Pattern OPTION = Pattern.compile("--[a-z][a-z-]+");
  static String docs;

  @BeforeAll
  static void read() throws IOException {
    Path file = Path.of("..", "docs", "test-apps.md");
    assertThat(file).exists();
    docs = Files.readString(file);
  }

  @Test
  void everyFaultModeHasARow() {
    for (FaultMode mode : FaultMode.values()) {
      assertThat(docs).as(mode.name()).contains("| `" + mode.cliName() + "` |");
    }
  }

  @Test
  void everyCommandAndOptionIsDocumented() {
    for (Command c : Main.commands()) {
      assertThat(docs).as(c.name()).containsPattern("### .*`" + Pattern.quote(c.name()) + "`");
      Matcher m = OPTION.matcher(c.help());
      while (m.find()) {
        if (m.group().equals("--help")) {
          continue;
        }
        assertThat(docs).as(c.name() + " " + m.group()).contains("`" + m.group());
      }
    }
  }
}
