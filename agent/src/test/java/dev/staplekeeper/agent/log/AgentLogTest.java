package dev.staplekeeper.agent.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The front door against hostile values, observed in the log an operator's console would show. */
class AgentLogTest {
  private static final AgentLog log = AgentLog.get(AgentLogTest.class);
  private static final String FORGED = "SEVERE: StapleKeeper FORGED-LOG-LINE";

  @ParameterizedTest(name = "U+{0}")
  @CsvSource({
    "000a, \\n",
    "000d, \\r",
    "0009, \\t",
    "0000, \\u0000",
    "001b, \\u001b",
    "000b, \\u000b",
    "000c, \\u000c",
    "007f, \\u007f",
    "0085, \\u0085",
    "009b, \\u009b",
    "2028, \\u2028",
    "2029, \\u2029",
    "202e, \\u202e",
    "d800, \\ud800",
  })
  void everyKindOfLineBreakOrControlCharacterIsShownEscaped(String hex, String shown) {
    char c = (char) Integer.parseInt(hex, 16);
    try (CapturedLog captured = new CapturedLog(Level.INFO)) {
      log.warn("StapleKeeper got {} from the responder", "a" + c + FORGED);

      assertThat(captured.records()).hasSize(1);
      String message = captured.records().get(0).getMessage();
      assertThat(message)
          .isEqualTo("StapleKeeper got a" + shown + FORGED + " from the responder")
          .doesNotContain(String.valueOf(c));
      assertThat(captured.lines()).noneMatch(l -> l.startsWith(FORGED));
    }
  }

  @Test
  void ansiEscapeSequencesCannotRecolourTheConsole() {
    assertThat(LogText.value("\u001b[31mred\u001b[0m")).isEqualTo("\\u001b[31mred\\u001b[0m");
  }

  @Test
  void printableUnicodeAndPairedSurrogatesStayReadable() {
    assertThat(LogText.value("CN=Müller ✓ \uD83D\uDD12")).isEqualTo("CN=Müller ✓ \uD83D\uDD12");
  }

  @Test
  void aLongValueIsCutAndSaysHowMuchIsLeftOut() {
    String value = "x".repeat(5000);

    String shown = LogText.value(value);

    assertThat(shown).hasSizeLessThanOrEqualTo(LogText.VALUE_CAP);
    int kept = shown.indexOf("...(");
    assertThat(shown).endsWith("...(" + (5000 - kept) + " more)");
    assertThat(LogText.value("x".repeat(LogText.VALUE_CAP)))
        .isEqualTo("x".repeat(LogText.VALUE_CAP));
  }

  @Test
  void anEscapeIsNeverCutInHalf() {
    String shown = LogText.escape("\n".repeat(100), 50);

    assertThat(shown).hasSizeLessThanOrEqualTo(50).matches("(\\\\n)+\\.\\.\\.\\(\\d+ more\\)");
  }

  @Test
  void aLineOfManyLongValuesIsCutAtTheLineCap() {
    try (CapturedLog captured = new CapturedLog(Level.INFO)) {
      Object[] values = new Object[6];
      for (int i = 0; i < values.length; i++) {
        values[i] = String.valueOf((char) ('a' + i)).repeat(3000);
      }
      log.warn("StapleKeeper {} {} {} {} {} {} tail", values);

      String message = captured.records().get(0).getMessage();
      assertThat(message)
          .hasSizeLessThanOrEqualTo(LogText.LINE_CAP)
          .matches(".*\\.\\.\\.\\(\\d+ more\\)$");
      assertThat(message).startsWith("StapleKeeper aaa").contains("...(2");
    }
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "http://alice:s3cret@ocsp.example/x | http://***@ocsp.example/x",
        "responderUri=HTTPS://alice:s3cret@h:8080, jmx=false | responderUri=HTTPS://***@h:8080, jmx=false",
        "http://a:p@ss@h/ | http://***@h/",
        "'http://alice:s3cret@h' is invalid | 'http://***@h' is invalid",
        "http://plain.example/ocsp?x=a@b | http://plain.example/ocsp?x=a@b",
        "mail me@example.org | mail me@example.org",
      })
  void urlUserinfoIsRedactedInAnyValue(String in, String out) {
    assertThat(LogText.value(in)).isEqualTo(out).doesNotContain("s3cret");
  }

  @Test
  void urlUserinfoIsRedactedInUriAndUrlObjects() throws Exception {
    try (CapturedLog captured = new CapturedLog(Level.INFO)) {
      log.info(
          "StapleKeeper responder {} or {}",
          URI.create("http://alice:s3cret@127.0.0.1:8080/ocsp"),
          new URL("https://bob:hunter2@example.org/ocsp"));

      assertThat(captured.records().get(0).getMessage())
          .isEqualTo(
              "StapleKeeper responder http://***@127.0.0.1:8080/ocsp or https://***@example.org/ocsp");
    }
  }

  @Test
  void aTrailingThrowableShowsItsClassAndEscapedMessageAndItsStackTraceOnlyAtDebug() {
    IOException e = new IOException("disk\n" + FORGED, new IllegalStateException("root\rcause"));
    try (CapturedLog captured = new CapturedLog(Level.INFO)) {
      log.warn("StapleKeeper could not store {}", "x", e);

      LogRecord r = captured.records().get(0);
      assertThat(r.getMessage())
          .isEqualTo(
              "StapleKeeper could not store x: java.io.IOException: disk\\n"
                  + FORGED
                  + " (caused by java.lang.IllegalStateException: root\\rcause)");
      assertThat(r.getThrown()).isNull();
    }
    try (CapturedLog captured = new CapturedLog(Level.FINE)) {
      log.warn("StapleKeeper could not store {}", "x", e);

      LogRecord r = captured.records().get(0);
      assertThat(r.getThrown()).isNotNull();
      assertThat(r.getThrown().getStackTrace()).isEqualTo(e.getStackTrace());
      List<String> lines = captured.lines();
      assertThat(lines).anyMatch(l -> l.startsWith("\tat dev.staplekeeper.agent.log.AgentLogTest"));
      assertThat(lines).anyMatch(l -> l.startsWith("Caused by: java.lang.IllegalStateException"));
      assertThat(lines).noneMatch(l -> l.startsWith(FORGED) || l.startsWith("cause"));
    }
  }

  @Test
  void aThrowableWithAPlaceholderIsAValue() {
    try (CapturedLog captured = new CapturedLog(Level.FINE)) {
      log.warn("StapleKeeper failed: {}", new IOException("boom\nx"));

      LogRecord r = captured.records().get(0);
      assertThat(r.getMessage()).isEqualTo("StapleKeeper failed: java.io.IOException: boom\\nx");
      assertThat(r.getThrown()).isNull();
    }
  }

  @Test
  void theLineNamesTheCallerAndLevelsFollowTheLogger() {
    try (CapturedLog captured = new CapturedLog(Level.INFO)) {
      log.debug("StapleKeeper hidden {}", 1);
      log.info("StapleKeeper shown {} and {}", 1, null);

      assertThat(log.isDebugEnabled()).isFalse();
      assertThat(log.isInfoEnabled()).isTrue();
      assertThat(captured.records()).hasSize(1);
      LogRecord r = captured.records().get(0);
      assertThat(r.getMessage()).isEqualTo("StapleKeeper shown 1 and null");
      assertThat(r.getLevel()).isEqualTo(Level.INFO);
      assertThat(r.getSourceClassName()).isEqualTo(AgentLogTest.class.getName());
      assertThat(r.getSourceMethodName())
          .isEqualTo("theLineNamesTheCallerAndLevelsFollowTheLogger");
    }
  }

  @Test
  void aListShowsAFewItemsAndCountsTheRest() {
    assertThat(LogText.list(List.of("a", "b", "c", "d", "e"), 3))
        .isEqualTo("[a, b, c, ...(2 more)]");
    assertThat(LogText.list(List.of("a"), 3)).isEqualTo("[a]");
    assertThat(LogText.list(List.of(), 3)).isEqualTo("[]");
  }
}
