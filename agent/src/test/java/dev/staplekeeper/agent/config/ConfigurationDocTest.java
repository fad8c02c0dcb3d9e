package dev.staplekeeper.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md carries the table generated from {@link ConfigKey}; this fails when they
 * drift. The failure message prints the table to paste between the markers; {@code
 * -Dstaplekeeper.updateDocs=true} rewrites it in place.
 */
class ConfigurationDocTest {
  static final String BEGIN =
      "<!-- config-table:begin (generated from ConfigKey; checked by ConfigurationDocTest) -->";
  static final String END = "<!-- config-table:end -->";

  static String table() {
    StringBuilder sb = new StringBuilder();
    sb.append(
        "| Key (agent argument) | System property / environment variable | Default | Range | Meaning |\n");
    sb.append("|---|---|---|---|---|\n");
    for (ConfigKey<?> k : ConfigKey.values()) {
      sb.append("| `")
          .append(k.key())
          .append("` | `")
          .append(k.propertyName())
          .append("`<br>`")
          .append(k.environmentName())
          .append("` | ")
          .append(
              k.defaultText().startsWith("`") || k.defaultText().contains(" ")
                  ? k.defaultText()
                  : "`" + k.defaultText() + "`")
          .append(" | ")
          .append(k.range())
          .append(" | ")
          .append(k.description())
          .append(" |\n");
    }
    return sb.toString();
  }

  @Test
  void docsTableMatchesTheCode() throws Exception {
    Path doc = Path.of("..", "docs", "configuration.md");
    String text = Files.readString(doc, StandardCharsets.UTF_8);
    int b = text.indexOf(BEGIN);
    int e = text.indexOf(END);
    assertThat(b).as("docs/configuration.md must contain the marker " + BEGIN).isNotNegative();
    assertThat(e).as("docs/configuration.md must contain the marker " + END).isGreaterThan(b);
    String documented = text.substring(b + BEGIN.length(), e).trim();
    if (Boolean.getBoolean("staplekeeper.updateDocs")) {
      // mvn test -pl agent -am -Dtest=ConfigurationDocTest -Dstaplekeeper.updateDocs=true
      text = text.substring(0, b + BEGIN.length()) + "\n" + table() + text.substring(e);
      Files.writeString(doc, text, StandardCharsets.UTF_8);
      return;
    }
    assertThat(documented)
        .as("docs/configuration.md table is out of date; replace it with:\n" + table())
        .isEqualTo(table().trim());
  }
}
