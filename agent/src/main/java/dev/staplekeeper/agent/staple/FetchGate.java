package dev.staplekeeper.agent.staple;

import java.net.URI;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Admission of fetches, so that one bad responder cannot starve the others.
 *
 * <p>Contract:
 *
 * <ul>
 *   <li>At most {@code total} fetches are in flight at once, and at most {@code perHost} = max(1,
 *       total / 2) towards one responder host (host and port), so a hanging responder never holds
 *       every slot: the others always keep {@code total - perHost} of them.
 *   <li>A fetch that finds no slot waits in its host's queue (once per certificate) and is handed a
 *       slot when one frees up; hosts with waiting fetches are served in turn (round robin), so a
 *       host with many certificates does not delay a host with one.
 *   <li>Never blocks: {@link #enter} either admits or queues; {@link #leave} returns the next
 *       admitted fetch for the caller to run.
 * </ul>
 */
final class FetchGate {
  private final int total;
  private final int perHost;
  // all guarded by this
  private int inFlight;
  private final Map<String, Integer> inFlightByHost = new HashMap<>();

  /** Hosts with waiting fetches, in the order they are served next. */
  private final LinkedHashMap<String, ArrayDeque<StapleEntry>> waiting = new LinkedHashMap<>();

  FetchGate(int total) {
    this.total = Math.max(1, total);
    this.perHost = Math.max(1, this.total / 2);
  }

  int perHost() {
    return perHost;
  }

  /** Admits {@code entry}'s fetch now (true), or queues it for {@link #leave} to hand on. */
  synchronized boolean enter(StapleEntry entry) {
    if (entry.queued) {
      return false; // already waiting; leave() hands it a slot
    }
    String host = host(entry.responder);
    // another host waiting while a slot is free is waiting only for its own per-host bound
    if (hasSlot(host) && !waiting.containsKey(host)) {
      admit(host);
      return true;
    }
    entry.queued = true;
    waiting.computeIfAbsent(host, h -> new ArrayDeque<>()).add(entry);
    return false;
  }

  /** {@code entry}'s fetch ended; returns the next queued fetch now admitted, or null. */
  synchronized StapleEntry leave(StapleEntry entry) {
    String host = host(entry.responder);
    inFlight--;
    inFlightByHost.merge(host, -1, (a, b) -> a + b == 0 ? null : a + b);
    Iterator<Map.Entry<String, ArrayDeque<StapleEntry>>> it = waiting.entrySet().iterator();
    while (it.hasNext() && inFlight < total) {
      Map.Entry<String, ArrayDeque<StapleEntry>> e = it.next();
      if (!hasSlot(e.getKey())) {
        continue;
      }
      ArrayDeque<StapleEntry> queue = e.getValue();
      StapleEntry next = queue.poll();
      it.remove();
      if (!queue.isEmpty()) {
        waiting.put(e.getKey(), queue); // to the back of the turn
      }
      next.queued = false;
      admit(e.getKey());
      return next;
    }
    return null;
  }

  /** Fetches in flight now (for tests and diagnostics). */
  synchronized int inFlight() {
    return inFlight;
  }

  /** Fetches waiting for a slot now. */
  synchronized int waiting() {
    int n = 0;
    for (ArrayDeque<StapleEntry> q : waiting.values()) {
      n += q.size();
    }
    return n;
  }

  private boolean hasSlot(String host) {
    return inFlight < total && inFlightByHost.getOrDefault(host, 0) < perHost;
  }

  private void admit(String host) {
    inFlight++;
    inFlightByHost.merge(host, 1, Integer::sum);
  }

  static String host(URI responder) {
    if (responder == null) {
      return "";
    }
    return responder.getHost() + ":" + responder.getPort();
  }
}
