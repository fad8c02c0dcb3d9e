package dev.staplekeeper.agent.staple;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fetch gate's bounds and fairness, with entries of a few responder hosts. */
class FetchGateTest {
  static StapleEntry at(String host) {
    return new StapleEntry(null, null, null, URI.create("http://" + host + ":8080/ocsp"), 0);
  }

  static List<StapleEntry> many(String host, int n) {
    List<StapleEntry> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(at(host));
    }
    return out;
  }

  @Test
  void aHangingHostNeverHoldsEverySlot() {
    FetchGate gate = new FetchGate(4);
    assertThat(gate.perHost()).isEqualTo(2);
    List<StapleEntry> hanging = many("hang.test", 40);
    int admitted = 0;
    for (StapleEntry e : hanging) {
      admitted += gate.enter(e) ? 1 : 0;
    }
    assertThat(admitted).isEqualTo(2);
    assertThat(gate.waiting()).isEqualTo(38);
    StapleEntry healthy = at("healthy.test");
    assertThat(gate.enter(healthy)).as("another host gets a slot at once").isTrue();
    assertThat(gate.inFlight()).isEqualTo(3);
  }

  @Test
  void withTwoSlotsOneHostGetsOne() {
    FetchGate gate = new FetchGate(2);
    assertThat(gate.perHost()).isEqualTo(1);
    for (StapleEntry e : many("hang.test", 40)) {
      gate.enter(e);
    }
    assertThat(gate.inFlight()).isEqualTo(1);
    assertThat(gate.enter(at("healthy.test"))).isTrue();
  }

  @Test
  void waitingHostsAreServedInTurnAndAQueuedEntryIsQueuedOnce() {
    FetchGate gate = new FetchGate(2);
    StapleEntry a1 = at("a.test");
    StapleEntry b1 = at("b.test");
    assertThat(gate.enter(a1)).isTrue();
    assertThat(gate.enter(b1)).isTrue();
    List<StapleEntry> as = many("a.test", 4);
    as.forEach(gate::enter);
    StapleEntry b2 = at("b.test");
    StapleEntry c1 = at("c.test");
    gate.enter(b2);
    gate.enter(c1);
    assertThat(gate.enter(as.get(0))).isFalse();
    assertThat(gate.waiting()).isEqualTo(6);

    StapleEntry next = gate.leave(a1);
    assertThat(next).isSameAs(as.get(0));
    next = gate.leave(b1);
    assertThat(next).isSameAs(b2);
    // a.test was served last: c.test comes before it
    next = gate.leave(as.get(0));
    assertThat(next).isSameAs(c1);
    next = gate.leave(b2);
    assertThat(next).isSameAs(as.get(1));
    assertThat(gate.inFlight()).isEqualTo(2);
  }
}
