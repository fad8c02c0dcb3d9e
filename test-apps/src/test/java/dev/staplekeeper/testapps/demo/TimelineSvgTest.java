package dev.staplekeeper.testapps.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The timeline picture of a known run, read back with the JDK's XML parser: a well-formed SVG with
 * the five phases and, for each server, one staple cell per second and one latency bar per
 * handshake, each where the run put it.
 */
class TimelineSvgTest {
  @TempDir Path dir;

  /**
   * The quick scenario (21 s: healthy 3, down 4, unauthorized 4, hang 7, healthy 3). The agent's
   * server staples every second in 20 ms; the stock one staples while healthy, sends nothing while
   * the responder fails, and its handshake at 0:11 hangs for 5 s (no handshake starts at 0:12 to
   * 0:15); one handshake carries an expired staple and one fails.
   */
  private static Result run() {
    Scenario scenario = Scenario.quick();
    List<Sample> agent = new ArrayList<>();
    List<Sample> stock = new ArrayList<>();
    for (int t = 0; t < scenario.totalSeconds(); t++) {
      int p = scenario.phaseAt(t);
      agent.add(new Sample(t, p, 20, true, true, 50L, null, false));
      boolean fault = scenario.phases().get(p).fault();
      if (t == 11) {
        stock.add(new Sample(t, p, 5_000, false, false, null, null, false));
      } else if (t > 11 && t < 16) {
        continue; // the hanging handshake is still running
      } else if (t == 16) {
        stock.add(new Sample(t, p, 40, true, false, -3L, "expired", false));
      } else if (t == 17) {
        stock.add(Sample.failure(t, p, 300, new IOException("Connection reset")));
      } else {
        stock.add(new Sample(t, p, 150, !fault, !fault, fault ? null : 55L, null, false));
      }
    }
    return new Result(
        scenario,
        List.of("WITH AGENT", "STOCK <JDK> & co"),
        List.of(agent, stock),
        new int[5][2],
        scenario.totalSeconds());
  }

  @Test
  void eachServerRowHasItsStapleSeriesAndItsLatencySeries() throws Exception {
    Path file = dir.resolve("timeline.svg");
    Files.writeString(file, TimelineSvg.render(run(), "demo & <test>"));

    TimelinePicture.Content picture = TimelinePicture.read(file);

    assertThat(picture.phases())
        .containsExactly("healthy", "down", "unauthorized", "hang", "healthy");
    assertThat(picture.rows())
        .extracting(TimelinePicture.Row::label)
        .containsExactly("WITH AGENT", "STOCK <JDK> & co");

    TimelinePicture.Row agent = picture.rows().get(0);
    assertThat(agent.states()).hasSize(21).containsOnly("valid");
    assertThat(agent.latencySeconds()).hasSize(21);
    assertThat(agent.latencyMillis()).containsOnly(20L);

    TimelinePicture.Row stock = picture.rows().get(1);
    List<String> expected = new ArrayList<>(Collections.nCopies(21, "none"));
    for (int t : List.of(0, 1, 2, 18, 19, 20)) {
      expected.set(t, "valid");
    }
    for (int t = 12; t < 16; t++) {
      expected.set(t, "waiting");
    }
    expected.set(16, "bad");
    expected.set(17, "failed");
    assertThat(stock.states()).containsExactlyElementsOf(expected);
    assertThat(stock.latencySeconds()).hasSize(17).doesNotContain(12, 13, 14, 15);
    assertThat(stock.latencyMillis().get(stock.latencySeconds().indexOf(11))).isEqualTo(5_000L);
  }

  @Test
  void aLongerHandshakeIsATallerBarOnTheLogScale() {
    assertThat(TimelineSvg.logScale(5_000)).isGreaterThan(TimelineSvg.logScale(150));
    assertThat(TimelineSvg.logScale(150)).isGreaterThan(TimelineSvg.logScale(20));
    assertThat(TimelineSvg.logScale(10_000)).isEqualTo(1.0);
    assertThat(TimelineSvg.logScale(60_000)).isEqualTo(1.0);
    assertThat(TimelineSvg.logScale(0)).isPositive();
  }

  @Test
  void anInterruptedRunShowsOnlyTheSecondsThatRan() throws Exception {
    Result full = run();
    Result part = new Result(full.scenario(), full.labels(), full.samples(), full.ocsp(), 9);
    Path file = dir.resolve("part.svg");
    Files.writeString(file, TimelineSvg.render(part, "interrupted"));

    TimelinePicture.Content picture = TimelinePicture.read(file);

    assertThat(picture.phases()).containsExactly("healthy", "down", "unauthorized");
    assertThat(picture.rows()).allSatisfy(r -> assertThat(r.states()).hasSize(9));
    assertThat(picture.rows().get(0).latencySeconds()).allMatch(t -> t < 9);
  }

  @Test
  void aFileThatIsNotWellFormedSvgIsRefused() throws Exception {
    Path broken = dir.resolve("broken.svg");
    Files.writeString(broken, TimelineSvg.render(run(), "t").replace("</svg>", ""));
    assertThatThrownBy(() -> TimelinePicture.read(broken))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("not well-formed");

    Path html = dir.resolve("page.svg");
    Files.writeString(html, "<html><body/></html>");
    assertThatThrownBy(() -> TimelinePicture.read(html))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("is not SVG");
  }
}
