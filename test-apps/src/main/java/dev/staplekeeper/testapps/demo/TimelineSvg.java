package dev.staplekeeper.testapps.demo;

import dev.staplekeeper.testapps.responder.FaultMode;
import java.util.List;
import java.util.Locale;

/**
 * The demo's timeline as an SVG picture, the same numbers as the text table: one row per server,
 * each with two series over the seconds of the run, and the responder's phases shaded behind them.
 *
 * <ul>
 *   <li>staple series ({@code <g class="staple-series">}): one cell per second, coloured by the
 *       handshake started in that second: {@code valid} staple, {@code none} (no staple), {@code
 *       bad} staple (one a client must reject), {@code failed} handshake, or {@code waiting} (no
 *       handshake started: the previous one was still running);
 *   <li>latency series ({@code <g class="latency-series">}): one bar per handshake at the second it
 *       started, its height the handshake time on a log scale from 1 ms to 10 s.
 * </ul>
 *
 * <p>Every cell and bar carries {@code data-second} (and bars {@code data-ms}) and a {@code
 * <title>} tooltip, so the picture can be checked by a program as well as read. Plain SVG 1.1, no
 * scripts, no external resources.
 */
final class TimelineSvg {
  static final String NS = "http://www.w3.org/2000/svg";

  private static final int LABEL_WIDTH = 165;
  private static final int RIGHT_MARGIN = 48; // the latency axis labels
  private static final int PHASE_TOP = 44;
  private static final int PHASE_HEADER = 18;
  private static final int STRIP_HEIGHT = 18;
  private static final int CHART_GAP = 8;
  private static final int CHART_HEIGHT = 80;
  private static final int ROW_GAP = 26;
  private static final int ROW_HEIGHT = STRIP_HEIGHT + CHART_GAP + CHART_HEIGHT + ROW_GAP;
  private static final double DECADES = 4; // 1 ms .. 10 s

  private TimelineSvg() {}

  /** The picture of {@code result}; {@code title} goes on top. */
  static String render(Result result, String title) {
    Scenario scenario = result.scenario();
    int seconds = Math.max(1, Math.min(result.seconds(), scenario.totalSeconds()));
    double pps = Math.max(6, Math.min(40, 840.0 / seconds)); // pixels per second
    double plotLeft = LABEL_WIDTH;
    double plotWidth = pps * seconds;
    int rowsTop = PHASE_TOP + PHASE_HEADER + 8;
    int rows = result.labels().size();
    int axisY = rowsTop + rows * ROW_HEIGHT - ROW_GAP + 6;
    int legendY = axisY + 34;
    int height = legendY + 30;
    int width = (int) Math.ceil(plotLeft + plotWidth + RIGHT_MARGIN);

    StringBuilder svg = new StringBuilder();
    svg.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .append(
            String.format(
                Locale.ROOT,
                "<svg xmlns=\"%s\" version=\"1.1\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
                    + " font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\""
                    + " font-size=\"11\">\n",
                NS,
                width,
                height,
                width,
                height))
        .append("<title>")
        .append(escape(title))
        .append("</title>\n")
        .append(
            String.format(
                Locale.ROOT,
                "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n",
                width,
                height))
        .append(text(8, 20, "start", "font-size=\"14\" font-weight=\"bold\"", title))
        .append(
            text(
                8,
                36,
                "start",
                "fill=\"#555555\"",
                "one TLS handshake per second and server; each cell: the staple of the handshake"
                    + " started in that second; bars: handshake time (log scale)"));

    // the phases, shaded behind every row
    svg.append("<g class=\"phases\">\n");
    for (int i = 0; i < scenario.phases().size(); i++) {
      Phase p = scenario.phases().get(i);
      int start = scenario.startOf(i);
      if (start >= seconds) {
        break;
      }
      int end = Math.min(seconds, start + p.seconds());
      double x = plotLeft + start * pps;
      double w = (end - start) * pps;
      svg.append(
              String.format(
                  Locale.ROOT,
                  "<rect class=\"phase\" data-mode=\"%s\" x=\"%.1f\" y=\"%d\" width=\"%.1f\""
                      + " height=\"%d\" fill=\"%s\"><title>phase %d/%d, %d s: %s (%s)</title>"
                      + "</rect>\n",
                  p.mode().cliName(),
                  x,
                  PHASE_TOP,
                  w,
                  axisY - PHASE_TOP,
                  phaseFill(p.mode()),
                  i + 1,
                  scenario.phases().size(),
                  p.seconds(),
                  p.mode().cliName(),
                  escape(p.what())))
          .append(
              text(
                  x + w / 2,
                  PHASE_TOP + 13,
                  "middle",
                  "font-weight=\"bold\" fill=\"#333333\"",
                  w >= 60 ? p.mode().cliName() : p.mode().cliName().substring(0, 1)));
    }
    svg.append("</g>\n");

    for (int s = 0; s < rows; s++) {
      row(svg, result, s, rowsTop + s * ROW_HEIGHT, plotLeft, pps, seconds);
    }
    timeAxis(svg, plotLeft, pps, seconds, axisY);
    legend(svg, legendY);
    svg.append("</svg>\n");
    return svg.toString();
  }

  private static void row(
      StringBuilder svg, Result result, int server, int top, double left, double pps, int seconds) {
    String label = result.labels().get(server);
    List<Sample> samples = result.samples().get(server);
    Result.Stats outage = result.faultStats(server);
    svg.append(
        String.format(Locale.ROOT, "<g class=\"server\" data-label=\"%s\">\n", escape(label)));
    svg.append(text(8, top + 13, "start", "font-weight=\"bold\"", label));
    svg.append(
        text(
            8,
            top + 28,
            "start",
            "fill=\"#555555\"",
            "outage: " + outage.valid() + "/" + outage.handshakes() + " stapled"));
    svg.append(
        text(8, top + 42, "start", "fill=\"#555555\"", "slowest: " + outage.maxMillis() + " ms"));

    svg.append("<g class=\"staple-series\">\n");
    for (int t = 0; t < seconds; t++) {
      Sample sample = startedAt(samples, t);
      String state = state(sample);
      svg.append(
          String.format(
              Locale.ROOT,
              "<rect class=\"%s\" data-second=\"%d\" x=\"%.1f\" y=\"%d\" width=\"%.1f\""
                  + " height=\"%d\" fill=\"%s\" stroke=\"#ffffff\" stroke-width=\"0.5\">"
                  + "<title>%s %s: %s</title></rect>\n",
              state,
              t,
              left + t * pps,
              top,
              pps,
              STRIP_HEIGHT,
              stateFill(state),
              escape(label),
              Report.clock(t),
              escape(describe(sample))));
    }
    svg.append("</g>\n");

    int chartTop = top + STRIP_HEIGHT + CHART_GAP;
    int chartBottom = chartTop + CHART_HEIGHT;
    svg.append("<g class=\"latency-axis\" stroke=\"#dddddd\">\n");
    String[] names = {"1 ms", "10 ms", "100 ms", "1 s", "10 s"};
    for (int d = 0; d <= DECADES; d++) {
      double y = chartBottom - CHART_HEIGHT * d / DECADES;
      svg.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
              left,
              y,
              left + seconds * pps,
              y));
      if (d % 2 == 1 || d == DECADES) {
        svg.append(
            text(
                left + seconds * pps + 4,
                y + 4,
                "start",
                "stroke=\"none\" fill=\"#777777\"",
                names[d]));
      }
    }
    svg.append("</g>\n");

    svg.append("<g class=\"latency-series\">\n");
    double barWidth = Math.max(2, pps * 0.6);
    for (Sample sample : samples) {
      if (sample.tick() >= seconds) {
        continue;
      }
      double h = CHART_HEIGHT * logScale(sample.millis());
      svg.append(
          String.format(
              Locale.ROOT,
              "<rect class=\"latency\" data-second=\"%d\" data-ms=\"%d\" x=\"%.1f\" y=\"%.1f\""
                  + " width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>%s %s: handshake %d ms"
                  + "</title></rect>\n",
              sample.tick(),
              sample.millis(),
              left + sample.tick() * pps + (pps - barWidth) / 2,
              chartBottom - h,
              barWidth,
              h,
              sample.millis() >= 1000 ? "#c0392b" : "#34495e",
              escape(label),
              Report.clock(sample.tick()),
              sample.millis()));
    }
    svg.append("</g>\n</g>\n");
  }

  private static void timeAxis(StringBuilder svg, double left, double pps, int seconds, int y) {
    int step = seconds <= 30 ? 5 : 10;
    svg.append("<g class=\"time-axis\" fill=\"#555555\">\n");
    for (int t = 0; t <= seconds; t += step) {
      double x = left + t * pps;
      svg.append(
              String.format(
                  Locale.ROOT,
                  "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#999999\"/>\n",
                  x,
                  y - 4,
                  x,
                  y + 2))
          .append(text(x, y + 14, "middle", "", Report.clock(t)));
    }
    svg.append("</g>\n");
  }

  private static void legend(StringBuilder svg, int y) {
    String[][] items = {
      {"valid", "valid staple"},
      {"none", "no staple"},
      {"bad", "staple a client must reject"},
      {"failed", "handshake failed"},
      {"waiting", "previous handshake still running"}
    };
    svg.append("<g class=\"legend\">\n");
    double x = 8;
    for (String[] item : items) {
      svg.append(
              String.format(
                  Locale.ROOT,
                  "<rect x=\"%.1f\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>\n",
                  x,
                  y - 10,
                  stateFill(item[0])))
          .append(text(x + 16, y, "start", "", item[1]));
      x += 22 + item[1].length() * 6.2;
    }
    svg.append(
            String.format(
                Locale.ROOT,
                "<rect x=\"%.1f\" y=\"%d\" width=\"6\" height=\"12\" fill=\"#34495e\"/>\n",
                x,
                y - 10))
        .append(text(x + 10, y, "start", "", "handshake time"));
    svg.append("</g>\n");
  }

  /** The handshake started in second {@code t}, or null (none started: one was still running). */
  private static Sample startedAt(List<Sample> samples, int t) {
    for (Sample s : samples) {
      if (s.tick() == t) {
        return s;
      }
    }
    return null;
  }

  static String state(Sample s) {
    if (s == null) {
      return "waiting";
    }
    if (s.failed()) {
      return "failed";
    }
    if (s.valid()) {
      return "valid";
    }
    return s.stapled() ? "bad" : "none";
  }

  private static String describe(Sample s) {
    if (s == null) {
      return "no handshake started (the previous one was still running)";
    }
    if (s.failed()) {
      return "handshake failed after " + s.millis() + " ms: " + s.problem();
    }
    if (s.valid()) {
      return "valid staple, " + s.secondsLeft() + " s left; handshake " + s.millis() + " ms";
    }
    if (s.stapled()) {
      return "bad staple (" + s.problem() + "); handshake " + s.millis() + " ms";
    }
    return "no staple; handshake " + s.millis() + " ms";
  }

  /** Fraction of the chart height for {@code millis}: log10 from 1 ms (0) to 10 s (1). */
  static double logScale(long millis) {
    double v = Math.log10(Math.max(1, Math.min(millis, 10_000))) / DECADES;
    return Math.max(0.02, v); // a sub-millisecond handshake still shows
  }

  private static String stateFill(String state) {
    return switch (state) {
      case "valid" -> "#2e9e44";
      case "none" -> "#d9342b";
      case "bad" -> "#f39c12";
      case "failed" -> "#7b1e1e";
      default -> "#c8c8c8";
    };
  }

  private static String phaseFill(FaultMode mode) {
    return switch (mode) {
      case HEALTHY -> "#eef7ee";
      case DOWN -> "#f6d5d5";
      case UNAUTHORIZED -> "#fbe3c8";
      case HANG -> "#fdf1c2";
      default -> "#e6e0f3";
    };
  }

  private static String text(double x, double y, String anchor, String attrs, String content) {
    return String.format(
        Locale.ROOT,
        "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\"%s>%s</text>\n",
        x,
        y,
        anchor,
        attrs.isEmpty() ? "" : " " + attrs,
        escape(content));
  }

  static String escape(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
