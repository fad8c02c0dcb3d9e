package dev.staplekeeper.agent.jmx;

import dev.staplekeeper.agent.log.AgentLog;
import dev.staplekeeper.agent.log.StartLine;
import dev.staplekeeper.agent.staple.StapleCounters;
import dev.staplekeeper.agent.staple.StapleCounters.FailureReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Registers the numeric MXBeans: {@code dev.staplekeeper:type=Stapling} (totals, refresh) and one
 * {@code dev.staplekeeper:type=Staple,serial=...,subject="..."} per tracked certificate, kept in
 * step with the tracked set every {@link #SYNC_INTERVAL} on one daemon thread. A registration
 * failure is logged once and never affects stapling.
 */
public final class StapleMBeans implements StaplingMXBean {
  private static final AgentLog log = AgentLog.get(StapleMBeans.class);
  public static final String STAPLING = "dev.staplekeeper:type=Stapling";
  public static final String STAPLE_PATTERN = "dev.staplekeeper:type=Staple,*";
  static final Duration SYNC_INTERVAL = Duration.ofSeconds(2);

  /** How long an operator's refresh waits for the fetches it started. */
  static final Duration REFRESH_WAIT = Duration.ofSeconds(30);

  private final StapleStatusSource source;
  private final MBeanServer server;
  private final Map<String, ObjectName> registered = new HashMap<>();
  private final Map<String, StapleSnapshot> latest = new HashMap<>();
  private ScheduledExecutorService timer;

  public StapleMBeans(StapleStatusSource source, MBeanServer server) {
    this.source = source;
    this.server = server;
  }

  /** Registers the totals bean and starts keeping the per-certificate beans in step. */
  public void start() {
    try {
      ObjectName name = new ObjectName(STAPLING);
      if (server.isRegistered(name)) {
        return;
      }
      server.registerMBean(this, name);
    } catch (Exception | LinkageError e) {
      log.warn("StapleKeeper could not register the MBean {}: {}", STAPLING, e.toString());
      return;
    }
    ScheduledThreadPoolExecutor t =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread th = new Thread(r, "staplekeeper-jmx");
              th.setDaemon(true);
              return th;
            });
    t.setRemoveOnCancelPolicy(true);
    timer = t;
    sync();
    t.scheduleWithFixedDelay(
        this::sync, SYNC_INTERVAL.toMillis(), SYNC_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Registers beans for new certificates and removes those of certificates no longer tracked. */
  synchronized void sync() {
    try {
      Set<String> seen = new HashSet<>();
      for (StapleSnapshot s : source.certificates()) {
        String key = s.serial + "/" + s.issuerKeyId;
        seen.add(key);
        latest.put(key, s);
        if (!registered.containsKey(key)) {
          ObjectName name = nameOf(s);
          if (!server.isRegistered(name)) {
            server.registerMBean(new StapleView(() -> current(key)), name);
          }
          registered.put(key, name);
        }
      }
      for (String key : new ArrayList<>(registered.keySet())) {
        if (!seen.contains(key)) {
          ObjectName name = registered.remove(key);
          latest.remove(key);
          if (server.isRegistered(name)) {
            server.unregisterMBean(name);
          }
        }
      }
    } catch (Exception | LinkageError e) {
      log.debug("StapleKeeper MBean sync failed: {}", e.toString());
    }
  }

  /** The certificate's snapshot now; the last one seen once it is no longer tracked. */
  private StapleSnapshot current(String key) {
    for (StapleSnapshot s : source.certificates()) {
      if (key.equals(s.serial + "/" + s.issuerKeyId)) {
        return s;
      }
    }
    synchronized (this) {
      return latest.get(key);
    }
  }

  static ObjectName nameOf(StapleSnapshot s) throws Exception {
    return new ObjectName(
        "dev.staplekeeper:type=Staple,serial="
            + s.serial
            + ",subject="
            + ObjectName.quote(s.subject));
  }

  /** Stops the sync thread and removes every bean registered here. */
  public synchronized void stop() {
    if (timer != null) {
      timer.shutdownNow();
    }
    try {
      for (ObjectName name : registered.values()) {
        if (server.isRegistered(name)) {
          server.unregisterMBean(name);
        }
      }
      ObjectName stapling = new ObjectName(STAPLING);
      if (server.isRegistered(stapling)) {
        server.unregisterMBean(stapling);
      }
    } catch (Exception e) {
      log.debug("StapleKeeper MBean removal failed: {}", e.toString());
    }
    registered.clear();
  }

  private StapleCounters counters() {
    return source.counters();
  }

  @Override
  public long getHandshakesStapled() {
    return counters().handshakesStapled();
  }

  @Override
  public long getHandshakesWithoutStaple() {
    return counters().handshakesWithoutStaple();
  }

  @Override
  public long getFetchesSucceeded() {
    return counters().fetchesSucceeded();
  }

  @Override
  public long getFetchesFailedConnect() {
    return counters().fetchesFailed(FailureReason.CONNECT);
  }

  @Override
  public long getFetchesFailedTimeout() {
    return counters().fetchesFailed(FailureReason.TIMEOUT);
  }

  @Override
  public long getFetchesFailedHttpStatus() {
    return counters().fetchesFailed(FailureReason.HTTP_STATUS);
  }

  @Override
  public long getFetchesFailedOcspStatus() {
    return counters().fetchesFailed(FailureReason.OCSP_STATUS);
  }

  @Override
  public long getFetchesFailedInvalidResponse() {
    return counters().fetchesFailed(FailureReason.INVALID_RESPONSE);
  }

  @Override
  public long getFetchesFailedOther() {
    return counters().fetchesFailed(FailureReason.OTHER);
  }

  @Override
  public int getCertificates() {
    return source.certificates().size();
  }

  @Override
  public String getStartLine() {
    return StartLine.get();
  }

  @Override
  public String[] refresh() throws InterruptedException {
    return refreshed(source.refresh(null, REFRESH_WAIT));
  }

  @Override
  public String[] refresh(String serial) throws InterruptedException {
    return refreshed(source.refresh(serial, REFRESH_WAIT));
  }

  private String[] refreshed(List<StapleSnapshot> after) {
    sync();
    String[] serials = new String[after.size()];
    for (int i = 0; i < serials.length; i++) {
      serials[i] = after.get(i).serial;
    }
    return serials;
  }
}
