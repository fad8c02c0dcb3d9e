package dev.staplekeeper.testapps.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Formats the demo's timeline and summary: fixed-width columns, ANSI colours on request. */
final class Report {
  static final String GREEN = "\u001b[32m";
  static final String RED = "\u001b[31m";
  static final String YELLOW = "\u001b[33m";
  static final String BOLD = "\u001b[1m";
  static final String DIM = "\u001b[2m";
  static final String RESET = "\u001b[0m";

  private static final int STAPLE_WIDTH = 17;
  private static final String SEP = " | ";
  private static final int SLOW_MILLIS = 1000;

  private final Scenario scenario;
  private final List<String> labels;
  private final boolean color;

  Report(Scenario scenario, List<String> labels, boolean color) {
    this.scenario = scenario;
    this.labels = List.copyOf(labels);
    this.color = color;
  }

  /** What one server column shows for one second. */
  record Cell(Sample sample, long busyMillis, int ocspDelta) {}

  String style(String code, String text) {
    return color ? code + text + RESET : text;
  }

  static String clock(int seconds) {
    return String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
  }

  List<String> legend() {
    return List.of(
        "Every second the demo's JDK client makes one full TLS handshake with each server (no"
            + " session",
        "resumption) and checks the OCSP response stapled to it:",
        "  staple  STAPLED 97s left  a valid response (successful, good, correctly signed) that is",
        "                            still valid for 97 s (its nextUpdate)",
        "          NO STAPLE         the handshake carried no OCSP response",
        "          BAD expired       a response a client must reject, and why",
        "          (waiting 3s)      the handshake started earlier is still running",
        "  hs ms   handshake time in milliseconds",
        "  ocsp    OCSP requests from this server that reached the responder in that second (the",
        "          first line includes any made at start; refused connections are not counted)");
  }

  List<String> header() {
    String left =
        String.format(Locale.ROOT, "%5s  %-12s %5s %4s", "time", "responder", "phase", "left");
    String blank = " ".repeat(left.length());
    String titleA = pad(labels.get(0), cellWidth());
    String titleB = labels.get(1);
    String sub =
        String.format(Locale.ROOT, "%-" + STAPLE_WIDTH + "s %6s %5s", "staple", "hs ms", "ocsp");
    return List.of(
        style(BOLD, left + SEP + titleA + SEP + titleB),
        style(BOLD, blank + SEP + sub + SEP + sub));
  }

  String banner(int phase) {
    Phase p = scenario.phases().get(phase);
    String text =
        String.format(
            Locale.ROOT,
            "-- phase %d/%d, %d s: %s (%s) ",
            phase + 1,
            scenario.phases().size(),
            p.seconds(),
            p.mode().cliName(),
            p.what());
    int width = lineWidth();
    if (text.length() < width) {
      text = text + "-".repeat(width - text.length());
    }
    return style(BOLD, text);
  }

  String line(int tick, Cell a, Cell b) {
    int phase = scenario.phaseAt(tick);
    Phase p = scenario.phases().get(phase);
    int left = scenario.startOf(phase) + p.seconds() - tick;
    String head =
        String.format(
            Locale.ROOT,
            "%5s  %-12s %5s %4s",
            clock(tick),
            p.mode().cliName(),
            (phase + 1) + "/" + scenario.phases().size(),
            left + "s");
    return head + SEP + cell(a) + SEP + cell(b);
  }

  String cell(Cell c) {
    Sample s = c.sample();
    String ocsp = String.format(Locale.ROOT, "%5s", "+" + c.ocspDelta());
    if (c.ocspDelta() > 0) {
      ocsp = style(YELLOW, ocsp);
    }
    if (s == null) {
      String text =
          c.busyMillis() >= 0 ? "(waiting " + ((c.busyMillis() + 500) / 1000) + "s)" : "-";
      return style(YELLOW, pad(text, STAPLE_WIDTH)) + " " + " ".repeat(6) + " " + ocsp;
    }
    String staple;
    String code;
    if (s.failed()) {
      staple = "FAILED " + s.problem();
      code = RED;
    } else if (s.valid()) {
      staple = "STAPLED " + String.format(Locale.ROOT, "%4s", s.secondsLeft() + "s") + " left";
      code = GREEN;
    } else if (s.stapled()) {
      staple = "BAD " + s.problem();
      code = RED;
    } else {
      staple = "NO STAPLE";
      code = RED;
    }
    String ms = String.format(Locale.ROOT, "%6d", s.millis());
    if (s.millis() >= SLOW_MILLIS) {
      ms = style(RED, ms);
    }
    return style(code, pad(staple, STAPLE_WIDTH)) + " " + ms + " " + ocsp;
  }

  int cellWidth() {
    return STAPLE_WIDTH + 1 + 6 + 1 + 5;
  }

  int lineWidth() {
    return 5 + 2 + 12 + 1 + 5 + 1 + 4 + 2 * (SEP.length() + cellWidth());
  }

  /** The per-phase table and the verdict. */
  List<String> summary(Result r) {
    List<String> out = new ArrayList<>();
    String sub =
        String.format(Locale.ROOT, "%-12s %6s %6s %5s", "stapled", "ms med", "max", "ocsp");
    int w = sub.length();
    out.add(
        style(
            BOLD,
            " ".repeat(NAME_WIDTH) + SEP + pad(r.labels().get(0), w) + SEP + r.labels().get(1)));
    out.add(style(BOLD, pad("phase", NAME_WIDTH) + SEP + sub + SEP + sub));
    List<Integer> fault = new ArrayList<>();
    int lastPhase = r.seconds() == 0 ? -1 : scenario.phaseAt(r.seconds() - 1);
    for (int i = 0; i <= lastPhase; i++) {
      Phase p = scenario.phases().get(i);
      int ran = Math.min(p.seconds(), r.seconds() - scenario.startOf(i));
      String name = (i + 1) + "/" + scenario.phases().size() + " " + p.mode().cliName();
      out.add(name(name, ran) + SEP + row(r.stats(0, i)) + SEP + row(r.stats(1, i)));
      if (p.fault()) {
        fault.add(i);
      }
    }
    if (!fault.isEmpty()) {
      String name =
          "outage ("
              + (fault.get(0) + 1)
              + (fault.size() > 1 ? "-" + (fault.get(fault.size() - 1) + 1) : "")
              + ")";
      out.add(
          style(BOLD, name(name, r.faultSeconds()))
              + SEP
              + row(r.stats(0, fault))
              + SEP
              + row(r.stats(1, fault)));
      out.add("");
      for (int s = 0; s < 2; s++) {
        out.addAll(wrap(pad(r.labels().get(s), LABEL_WIDTH), verdict(r, s), lineWidth()));
      }
    }
    return out;
  }

  private static final int NAME_WIDTH = 24;
  private static final int LABEL_WIDTH = 14;

  private static String name(String name, int seconds) {
    String len = seconds + " s";
    return pad(name, NAME_WIDTH - len.length() - 1) + " " + len;
  }

  private String row(Result.Stats st) {
    String stapled =
        String.format(Locale.ROOT, "%3d/%-3d %3d%%", st.valid(), st.handshakes(), st.percent());
    String cell =
        String.format(
            Locale.ROOT,
            "%-12s %6d %6d %5d",
            stapled,
            st.medianMillis(),
            st.maxMillis(),
            st.ocspRequests());
    if (st.handshakes() == 0) {
      return pad("no handshakes", cell.length());
    }
    String code = st.valid() == st.handshakes() ? GREEN : RED;
    return style(code, stapled) + cell.substring(stapled.length());
  }

  /** One paragraph on one server's outage, from the numbers only (unwrapped). */
  String verdict(Result r, int server) {
    Result.Stats f = r.faultStats(server);
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "%d of %d handshakes during the %d s outage carried a valid staple (%d %%)",
            f.valid(),
            f.handshakes(),
            r.faultSeconds(),
            f.percent()));
    int loss = r.firstLossIntoFault(server);
    if (loss >= 0) {
      sb.append(String.format(Locale.ROOT, "; the first without one came %d s into it", loss));
    }
    sb.append(
        String.format(
            Locale.ROOT,
            "; slowest handshake %d ms; %d OCSP request%s reached the responder.",
            f.maxMillis(),
            f.ocspRequests(),
            f.ocspRequests() == 1 ? "" : "s"));
    if (f.badStaples() > 0) {
      sb.append(String.format(Locale.ROOT, " %d INVALID staples were sent.", f.badStaples()));
    }
    if (f.failed() > 0) {
      sb.append(String.format(Locale.ROOT, " %d handshakes FAILED.", f.failed()));
    }
    return sb.toString();
  }

  /** The agent's lines in the JDK's SimpleFormatter format the demo gives the servers. */
  private static final java.util.regex.Pattern JUL_LINE =
      java.util.regex.Pattern.compile(
          "^\\S+ (INFO|WARNING|SEVERE) dev\\.staplekeeper\\.\\S+: (?:StapleKeeper:? (?![0-9]))?(.*)$");

  /**
   * The agent's lines once Spring Boot has bridged java.util.logging to its console format ({@code
   * 2026-12-02T07:45:00.123Z INFO 4242 --- [app] [thread] d.s.agent.staple.FetchCycle : ...}).
   */
  private static final java.util.regex.Pattern SPRING_BOOT_LINE =
      java.util.regex.Pattern.compile(
          "^\\S+\\s+(INFO|WARN|ERROR) \\d+ --- .*?\\] (?:d|dev)\\.(?:s|staplekeeper)\\.\\S*\\s*:"
              + " (?:StapleKeeper:? (?![0-9]))?(.*)$");

  /**
   * A line of the agent's log, shortened for the timeline (no timestamp, logger or certificate
   * details), or null if it is not one of the agent's INFO, WARNING or SEVERE lines; read from the
   * JDK's log format or from Spring Boot's.
   */
  static String agentLog(String raw) {
    java.util.regex.Matcher m = JUL_LINE.matcher(raw);
    if (!m.matches()) {
      m = SPRING_BOOT_LINE.matcher(raw);
      if (!m.matches()) {
        return null;
      }
    }
    String level =
        switch (m.group(1)) {
          case "WARN" -> "WARNING";
          case "ERROR" -> "SEVERE";
          default -> m.group(1);
        };
    String text =
        m.group(2)
            .replaceAll(" for CN=[^\\[]*\\[[^\\]]*\\]", "")
            .replaceAll(" \\[serial=[^\\]]*\\]", "")
            .replaceAll(" \\(until [^)]*\\)", "")
            .replaceAll("\\d{4}-\\d\\d-\\d\\dT(\\d\\d:\\d\\d:\\d\\d)(\\.\\d+)?Z", "$1");
    return level + " " + text;
  }

  /**
   * Word-wraps {@code text} after {@code prefix} to {@code width}; continuation lines are indented
   * by the length of the prefix.
   */
  static List<String> wrap(String prefix, String text, int width) {
    List<String> lines = new ArrayList<>();
    String indent = " ".repeat(prefix.length());
    StringBuilder line = new StringBuilder(prefix);
    boolean empty = true;
    for (String word : text.split(" +")) {
      if (!empty && line.length() + 1 + word.length() > width) {
        lines.add(line.toString());
        line = new StringBuilder(indent);
        empty = true;
      }
      if (!empty) {
        line.append(' ');
      }
      line.append(word);
      empty = false;
    }
    lines.add(line.toString());
    return lines;
  }

  static String pad(String text, int width) {
    if (text.length() > width) {
      return text.substring(0, width);
    }
    return text + " ".repeat(width - text.length());
  }
}
