package dev.staplekeeper.agent.jmx;

import dev.staplekeeper.agent.ocsp.ValidatedResponse;
import dev.staplekeeper.agent.staple.StapleCounters;
import dev.staplekeeper.agent.staple.StapleEntry;
import dev.staplekeeper.agent.staple.StapleService;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/** {@link StapleStatusSource} over the running {@link StapleService}. */
public final class ServiceStatusSource implements StapleStatusSource {
  private final StapleService service;
  private final Clock clock;

  public ServiceStatusSource(StapleService service, Clock clock) {
    this.service = service;
    this.clock = clock;
  }

  @Override
  public List<StapleSnapshot> certificates() {
    Instant now = clock.instant();
    List<StapleSnapshot> out = new ArrayList<>();
    for (StapleEntry e : service.entries()) {
      out.add(snapshot(e, now));
    }
    return out;
  }

  @Override
  public StapleCounters counters() {
    return service.counters();
  }

  @Override
  public List<StapleSnapshot> refresh(String serialHex, Duration timeout)
      throws InterruptedException {
    List<StapleEntry> chosen = new ArrayList<>();
    List<Long> before = new ArrayList<>();
    for (StapleEntry e : service.entries()) {
      if (serialHex == null || e.id().serial().toString(16).equalsIgnoreCase(strip(serialHex))) {
        chosen.add(e);
        before.add(e.fetches());
        service.refreshNow(e);
      }
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    for (int i = 0; i < chosen.size(); i++) {
      while (chosen.get(i).fetches() <= before.get(i) && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
    }
    Instant now = clock.instant();
    List<StapleSnapshot> out = new ArrayList<>();
    for (StapleEntry e : chosen) {
      out.add(snapshot(e, now));
    }
    return out;
  }

  private static String strip(String serial) {
    String s = serial.trim().replace(":", "");
    return s.startsWith("0x") || s.startsWith("0X")
        ? s.substring(2)
        : s.replaceFirst("^0+(?=.)", "");
  }

  static StapleSnapshot snapshot(StapleEntry e, Instant now) {
    ValidatedResponse r = e.current();
    boolean usable = r != null && r.isUsableAt(now);
    StapleSnapshot.Status status =
        !usable
            ? StapleSnapshot.Status.NONE
            : r.status() == ValidatedResponse.Status.GOOD
                ? StapleSnapshot.Status.GOOD
                : StapleSnapshot.Status.REVOKED;
    Instant since = e.lastSuccessAt() != null ? e.lastSuccessAt() : e.trackedSince();
    return new StapleSnapshot(
        e.cert().getSubjectX500Principal().getName(),
        e.id().serial().toString(16),
        e.id().issuerKeyHashHex(),
        e.responder() == null ? null : e.responder().toString(),
        status,
        r == null ? null : r.thisUpdate(),
        r == null ? null : r.nextUpdate(),
        usable ? Duration.between(now, r.nextUpdate()).getSeconds() : 0,
        r == null ? 0 : r.validity().getSeconds(),
        e.nextAttemptAt() == null ? null : e.nextAttemptAt().truncatedTo(ChronoUnit.SECONDS),
        e.failures(),
        e.lastError(),
        e.lastFetchMillis(),
        since == null ? 0 : Math.max(0, Duration.between(since, now).getSeconds()),
        e.fetches());
  }
}
