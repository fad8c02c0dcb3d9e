package dev.staplekeeper.testapps.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The timeline and summary arithmetic and layout, without processes. */
class ReportTest {
  private static final Scenario SCENARIO =
      Scenario.quick(); // 3 healthy, 4 down, 4 unauth, 7 hang, 3
  private static final List<String> LABELS = List.of("WITH AGENT", "STOCK JDK");

  private static Sample ok(int tick, long ms) {
    return new Sample(tick, SCENARIO.phaseAt(tick), ms, true, true, 50L, null, false);
  }

  private static Sample none(int tick, long ms) {
    return new Sample(tick, SCENARIO.phaseAt(tick), ms, false, false, null, null, false);
  }

  @Test
  void scenarioPhasesAndOffsets() {
    assertThat(SCENARIO.totalSeconds()).isEqualTo(21);
    assertThat(SCENARIO.phaseAt(0)).isZero();
    assertThat(SCENARIO.phaseAt(2)).isZero();
    assertThat(SCENARIO.phaseAt(3)).isEqualTo(1);
    assertThat(SCENARIO.phaseAt(20)).isEqualTo(4);
    assertThat(SCENARIO.startOf(3)).isEqualTo(11);
    assertThat(Scenario.full().totalSeconds()).isBetween(90, 150);
    // the response the agent fetches at start must outlive the outage (with room to spare), or
    // the demo would show the agent losing the staple for want of any valid response
    for (Scenario sc : List.of(Scenario.quick(), Scenario.full())) {
      int fault = sc.phases().stream().filter(Phase::fault).mapToInt(Phase::seconds).sum();
      assertThat(sc.validity().toSeconds())
          .isGreaterThan(sc.phases().get(0).seconds() + fault + 10);
      assertThat(sc.stockCacheLifetimeSeconds()).isLessThan(sc.phases().get(1).seconds());
    }
  }

  @Test
  void statsPerPhaseAndOverTheOutage() {
    List<Sample> agent = new java.util.ArrayList<>();
    List<Sample> stock = new java.util.ArrayList<>();
    for (int t = 0; t < 21; t++) {
      agent.add(ok(t, 10 + t));
    }
    for (int t = 0; t < 4; t++) {
      stock.add(ok(t, 20));
    }
    stock.add(none(4, 30)); // 1 s into the outage (which starts at 3)
    stock.add(none(11, 5003));
    stock.add(none(17, 5001));
    stock.add(ok(18, 12));
    int[][] ocsp = {{1, 1}, {0, 0}, {1, 4}, {1, 2}, {1, 0}};
    Result r = new Result(SCENARIO, LABELS, List.of(agent, stock), ocsp, 21);

    assertThat(r.complete()).isTrue();
    assertThat(r.faultSeconds()).isEqualTo(15);
    Result.Stats a = r.faultStats(0);
    assertThat(a.handshakes()).isEqualTo(15);
    assertThat(a.valid()).isEqualTo(15);
    assertThat(a.percent()).isEqualTo(100);
    assertThat(a.maxMillis()).isEqualTo(27);
    assertThat(a.medianMillis()).isEqualTo(20);
    assertThat(a.ocspRequests()).isEqualTo(2);
    Result.Stats s = r.faultStats(1);
    assertThat(s.handshakes()).isEqualTo(4);
    assertThat(s.valid()).isEqualTo(1);
    assertThat(s.percent()).isEqualTo(25);
    assertThat(s.maxMillis()).isEqualTo(5003);
    assertThat(s.ocspRequests()).isEqualTo(6);
    assertThat(r.stats(1, 3).handshakes()).isEqualTo(2);
    assertThat(r.firstLossIntoFault(0)).isEqualTo(-1);
    assertThat(r.firstLossIntoFault(1)).isEqualTo(1);

    Report report = new Report(SCENARIO, LABELS, false);
    List<String> summary = report.summary(r);
    assertThat(summary).anyMatch(l -> l.startsWith("4/5 hang") && l.contains("0/2"));
    assertThat(summary).anyMatch(l -> l.startsWith("outage (2-4)") && l.contains(" 15/15  100%"));
    String text = String.join("\n", summary);
    assertThat(text)
        .contains("15 of 15 handshakes during the 15 s outage carried a valid staple (100 %)")
        .contains("1 of 4 handshakes during the 15 s outage carried a valid staple (25 %)")
        .doesNotContain("INVALID")
        .doesNotContain("\u001b[");
    assertThat(summary).allMatch(l -> l.length() <= report.lineWidth(), "fits the timeline width");
    assertThat(report.verdict(r, 1))
        .contains("the first without one came 1 s into it")
        .contains("slowest handshake 5003 ms; 6 OCSP requests reached the responder");
  }

  @Test
  void partialRunSummarisesOnlyWhatRan() {
    Result r =
        new Result(
            SCENARIO,
            LABELS,
            List.of(List.of(ok(0, 5), ok(4, 5)), List.of(ok(0, 5), none(4, 5))),
            new int[5][2],
            5);
    assertThat(r.complete()).isFalse();
    assertThat(r.faultSeconds()).isEqualTo(2);
    List<String> summary = new Report(SCENARIO, LABELS, false).summary(r);
    assertThat(summary).anyMatch(l -> l.startsWith("2/5 down") && l.contains(" 2 s "));
    assertThat(summary).noneMatch(l -> l.startsWith("3/5"));
    assertThat(summary).anyMatch(l -> l.startsWith("outage (2)"));
  }

  @Test
  void badStaplesAndFailuresAreCalledOut() {
    Sample bad = new Sample(5, 1, 9, true, false, -3L, "expired", false);
    Sample failed = new Sample(6, 1, 15000, false, false, null, "Read timed out", true);
    Result r =
        new Result(SCENARIO, LABELS, List.of(List.of(bad, failed), List.of()), new int[5][2], 21);
    Report report = new Report(SCENARIO, LABELS, false);
    assertThat(report.verdict(r, 0))
        .contains("0 of 2 handshakes")
        .contains("1 INVALID staples were sent")
        .contains("1 handshakes FAILED");
    assertThat(report.cell(new Report.Cell(bad, -1, 0))).startsWith("BAD expired ");
    assertThat(report.cell(new Report.Cell(failed, -1, 0))).startsWith("FAILED Read timed ");
  }

  @Test
  void timelineColumnsLineUpWithTheHeader() {
    Report report = new Report(SCENARIO, LABELS, false);
    List<String> header = report.header();
    String line =
        report.line(
            12,
            new Report.Cell(ok(12, 9), -1, 0),
            new Report.Cell(null, 2400, 1)); // stock handshake still running
    String waiting =
        report.line(16, new Report.Cell(ok(16, 9), -1, 0), new Report.Cell(none(11, 5003), -1, 0));
    assertThat(line)
        .startsWith(
            " 0:12  hang           4/5   6s | STAPLED  50s left      9    +0 | (waiting 2s)");
    assertThat(waiting).contains("| NO STAPLE           5003    +0");
    for (String l : List.of(header.get(0), header.get(1), line, waiting)) {
      assertThat(l.indexOf(" | ")).isEqualTo(line.indexOf(" | "));
      assertThat(l.indexOf(" | ", line.indexOf(" | ") + 1))
          .isEqualTo(line.indexOf(" | ", line.indexOf(" | ") + 1));
    }
    assertThat(report.banner(3))
        .startsWith("-- phase 4/5, 7 s: hang (")
        .hasSize(report.lineWidth());
  }

  @Test
  void coloursOnlyWhenAsked() {
    Report plain = new Report(SCENARIO, LABELS, false);
    Report color = new Report(SCENARIO, LABELS, true);
    Report.Cell cell = new Report.Cell(none(4, 5003), -1, 1);
    assertThat(plain.cell(cell)).doesNotContain("\u001b");
    assertThat(color.cell(cell)).contains(Report.RED + "NO STAPLE").contains(Report.RESET);
    assertThat(color.cell(cell).replaceAll("\u001b\\[[0-9;]*m", "")).isEqualTo(plain.cell(cell));
  }

  @Test
  void agentLogLinesAreShortened() {
    assertThat(
            Report.agentLog(
                "15:15:02.682 INFO dev.staplekeeper.agent.staple.StapleService: StapleKeeper got OCSP"
                    + " response for CN=localhost [serial=69ec6c39 issuerKey=e0aa822b37fa]: GOOD"
                    + " thisUpdate=2026-11-25T15:15:02Z nextUpdate=2026-11-25T15:16:02Z; next"
                    + " refresh in 26s"))
        .isEqualTo(
            "INFO got OCSP response: GOOD thisUpdate=15:15:02 nextUpdate=15:16:02; next refresh in"
                + " 26s");
    assertThat(
            Report.agentLog(
                "15:16:00.100 WARNING dev.staplekeeper.agent.staple.StapleService: StapleKeeper OCSP"
                    + " fetch for CN=localhost [serial=1 issuerKey=2] failed (attempt 1):"
                    + " unauthorized; keeping the last good response, valid for 1m2s more (until"
                    + " 2026-11-25T15:17:02Z); retry in 1s"))
        .isEqualTo(
            "WARNING OCSP fetch failed (attempt 1): unauthorized; keeping the last good response,"
                + " valid for 1m2s more; retry in 1s");
    assertThat(
            Report.agentLog(
                "15:15:01.916 INFO dev.staplekeeper.agent.StapleKeeperAgent: StapleKeeper 0.1.0"
                    + " active on Java 17"))
        .isEqualTo("INFO StapleKeeper 0.1.0 active on Java 17");
    assertThat(Report.agentLog("15:15:02.192 INFO org.eclipse.jetty.server.Server: jetty-12"))
        .isNull();
    assertThat(Report.agentLog("READY port=1234")).isNull();
  }

  @Test
  void agentLinesInSpringBootsConsoleFormatAreShortenedToo() {
    // as the Spring Boot app logs them once it has bridged java.util.logging to Logback
    assertThat(
            Report.agentLog(
                "2026-12-02T07:47:47.548Z  INFO 24563 --- [staplekeeper-spring-boot-app]"
                    + " [ekeeper-fetch-1] d.staplekeeper.agent.staple.FetchCycle   : StapleKeeper"
                    + " got OCSP response for CN=localhost [serial=233163da issuerKey=c589aad30c19]:"
                    + " GOOD thisUpdate=2026-12-02T07:47:45Z nextUpdate=2026-12-02T07:48:45Z; next"
                    + " refresh in 26s"))
        .isEqualTo(
            "INFO got OCSP response: GOOD thisUpdate=07:47:45 nextUpdate=07:48:45; next refresh in"
                + " 26s");
    assertThat(
            Report.agentLog(
                "2026-12-02T07:47:50.001Z  WARN 24563 --- [staplekeeper-spring-boot-app]"
                    + " [ekeeper-fetch-1] d.s.agent.staple.FetchCycle              : StapleKeeper"
                    + " OCSP fetch failed (attempt 1): unauthorized; retry in 1s"))
        .isEqualTo("WARNING OCSP fetch failed (attempt 1): unauthorized; retry in 1s");
    assertThat(
            Report.agentLog(
                "2026-12-02T07:47:45.203Z  INFO 24563 --- [staplekeeper-spring-boot-app] [          "
                    + " main] o.s.b.w.embedded.tomcat.TomcatWebServer  : Tomcat started on port"
                    + " 35749 (https) with context path '/'"))
        .isNull();
  }

  @Test
  void wrapIndentsContinuationLines() {
    assertThat(Report.wrap("LABEL  ", "aaa bbb ccc ddd", 15))
        .containsExactly("LABEL  aaa bbb", "       ccc ddd");
    assertThat(Report.wrap("", "one", 10)).containsExactly("one");
  }
}
