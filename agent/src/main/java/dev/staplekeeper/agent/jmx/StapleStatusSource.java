package dev.staplekeeper.agent.jmx;

import dev.staplekeeper.agent.staple.StapleCounters;
import java.time.Duration;
import java.util.List;

/**
 * The narrow view the operator side (MBeans, CLI) has of the staple core: snapshots per
 * certificate, totals, and a way to fetch now. Implementations never block a handshake.
 */
public interface StapleStatusSource {
  /** Every tracked certificate, in no particular order. */
  List<StapleSnapshot> certificates();

  /** Totals since start. */
  StapleCounters counters();

  /**
   * Fetches now for every certificate ({@code serialHex} null) or those with that serial (hex,
   * case-insensitive), waits up to {@code timeout} for those fetches to end and returns the
   * snapshots afterwards; empty when no certificate matched.
   */
  List<StapleSnapshot> refresh(String serialHex, Duration timeout) throws InterruptedException;
}
