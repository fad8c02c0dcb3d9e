package dev.staplekeeper.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/monitoring/alerts.yaml through the real {@code promtool} (Debian package prometheus,
 * installed by .ci/run): the rules parse, and each alert fires exactly as alerts_test.yaml says.
 */
class AlertRulesIT {
  static Path monitoring() {
    Path dir = Path.of(System.getProperty("staplekeeper.monitoring.dir", "../docs/monitoring"));
    assertThat(dir.resolve("alerts.yaml")).exists();
    return dir;
  }

  static String promtool(Path dir, String... args) throws Exception {
    Process p =
        new ProcessBuilder(
                Stream.concat(Stream.of("promtool"), Stream.of(args)).toArray(String[]::new))
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as("promtool %s:\n%s", List.of(args), out).isZero();
    return out;
  }

  @Test
  void alertRulesParse() throws Exception {
    assertThat(promtool(monitoring(), "check", "rules", "alerts.yaml"))
        .contains("SUCCESS: 3 rules found");
  }

  @Test
  void everyAlertFiresWhenItsUnitTestSaysSo() throws Exception {
    Path dir = monitoring();
    String tests = Files.readString(dir.resolve("alerts_test.yaml"));
    for (String alert :
        List.of("OcspStapleExpiringSoon", "OcspStapleMissing", "OcspFetchFailing")) {
      assertThat(tests)
          .as("a unit test expecting %s to fire", alert)
          .containsPattern("alertname: " + alert + "\\s+exp_alerts:\\s+- exp_labels");
    }
    assertThat(promtool(dir, "test", "rules", "alerts_test.yaml")).contains("SUCCESS");
  }
}
