package dev.staplekeeper.testapps.demo;

import java.util.ArrayList;
import java.util.List;

/**
 * What one demo run measured.
 *
 * @param labels the two servers' column titles, e.g. "WITH AGENT", "STOCK JDK"
 * @param samples per server, every finished handshake in order
 * @param ocsp per phase, per server: OCSP requests that reached the responder
 * @param seconds how many seconds of the timeline ran (less than the scenario's if interrupted)
 */
public record Result(
    Scenario scenario, List<String> labels, List<List<Sample>> samples, int[][] ocsp, int seconds) {

  /** Handshake statistics of one server over some phases. */
  public record Stats(
      int handshakes,
      int valid,
      int badStaples,
      int failed,
      long medianMillis,
      long maxMillis,
      int ocspRequests) {

    /** Percentage of handshakes with a valid staple, rounded down; 0 without handshakes. */
    public int percent() {
      return handshakes == 0 ? 0 : (int) (100L * valid / handshakes);
    }
  }

  /** Whether every phase ran to its end. */
  public boolean complete() {
    return seconds >= scenario.totalSeconds();
  }

  public Stats stats(int server, int phase) {
    return stats(server, List.of(phase));
  }

  /** Over every phase in which the responder is faulty. */
  public Stats faultStats(int server) {
    List<Integer> phases = new ArrayList<>();
    for (int i = 0; i < scenario.phases().size(); i++) {
      if (scenario.phases().get(i).fault()) {
        phases.add(i);
      }
    }
    return stats(server, phases);
  }

  public Stats stats(int server, List<Integer> phases) {
    List<Long> millis = new ArrayList<>();
    int valid = 0;
    int bad = 0;
    int failed = 0;
    for (Sample s : samples.get(server)) {
      if (!phases.contains(s.phase())) {
        continue;
      }
      millis.add(s.millis());
      valid += s.valid() ? 1 : 0;
      bad += s.stapled() && !s.valid() ? 1 : 0;
      failed += s.failed() ? 1 : 0;
    }
    millis.sort(null);
    long median = millis.isEmpty() ? 0 : millis.get((millis.size() - 1) / 2);
    long max = millis.isEmpty() ? 0 : millis.get(millis.size() - 1);
    int requests = 0;
    for (int p : phases) {
      requests += ocsp[p][server];
    }
    return new Stats(millis.size(), valid, bad, failed, median, max, requests);
  }

  /**
   * Seconds from the start of the first fault phase to the first handshake in a fault phase without
   * a valid staple, or -1 if there was none.
   */
  public int firstLossIntoFault(int server) {
    int faultStart = -1;
    for (int i = 0; i < scenario.phases().size(); i++) {
      if (scenario.phases().get(i).fault()) {
        faultStart = scenario.startOf(i);
        break;
      }
    }
    if (faultStart < 0) {
      return -1;
    }
    for (Sample s : samples.get(server)) {
      if (scenario.phases().get(s.phase()).fault() && !s.valid()) {
        return s.tick() - faultStart;
      }
    }
    return -1;
  }

  /** Seconds of fault phases that ran. */
  public int faultSeconds() {
    int n = 0;
    for (int t = 0; t < seconds; t++) {
      n += scenario.phases().get(scenario.phaseAt(t)).fault() ? 1 : 0;
    }
    return n;
  }
}
