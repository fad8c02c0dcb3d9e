package dev.staplekeeper.agent.staple;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * A map bounded in size that drops its least recently used entry when an insertion takes it over
 * the bound: the agent's own replacement for a caching library, sized for a few thousand entries.
 *
 * <p>Contract:
 *
 * <ul>
 *   <li>{@link #get} is lock-free (one {@link ConcurrentHashMap} read) and allocates nothing; it
 *       marks the entry used. Writes ({@link #computeIfAbsent}, {@link #putIfAbsent}, {@link
 *       #remove}, {@link #clear}) are serialised by one lock: they happen once per key, not per
 *       handshake.
 *   <li>{@link #computeIfAbsent} runs {@code create} at most once per absent key, under that lock
 *       (so it must be short and must not use this map); every concurrent caller gets the one value
 *       made. A {@code null} from {@code create} inserts nothing; an exception propagates.
 *   <li>Recency is counted in insertions: every insertion advances a clock, and a read stamps its
 *       entry with the clock's value (a plain compare, and a write only the first time in an
 *       insertion's span, so steady-state reads write nothing shared). An insertion that takes the
 *       map over its bound drops the entry with the oldest stamp, never the one just inserted;
 *       entries read since the same insertion are equally recent and one of them is picked. Finding
 *       it scans every entry (O(size)): that only happens when more keys are in use than the bound,
 *       itself a misconfiguration that is logged.
 *   <li>{@code onEviction} is called, outside the lock and on the inserting thread, for each entry
 *       dropped by the bound, and only for those: not for {@link #remove} or {@link #clear}.
 * </ul>
 */
final class LruMap<K, V> {
  /** A value and when it was last used, in insertions. */
  private static final class Node<K, V> {
    final K key;
    final V value;
    volatile long used;

    Node(K key, V value, long used) {
      this.key = key;
      this.value = value;
      this.used = used;
    }
  }

  private final ConcurrentHashMap<K, Node<K, V>> map = new ConcurrentHashMap<>();
  private final int maximumSize;
  private final BiConsumer<? super K, ? super V> onEviction;
  private final Object lock = new Object();

  /** Advanced (under the lock) by every insertion. */
  private volatile long clock;

  /**
   * @param maximumSize at least 1
   * @param onEviction called for each entry the bound drops, or {@code null}
   */
  LruMap(int maximumSize, BiConsumer<? super K, ? super V> onEviction) {
    if (maximumSize < 1) {
      throw new IllegalArgumentException("maximumSize " + maximumSize);
    }
    this.maximumSize = maximumSize;
    this.onEviction = onEviction;
  }

  /** The value for {@code key}, marked used, or {@code null}. */
  V get(K key) {
    Node<K, V> n = map.get(key);
    if (n == null) {
      return null;
    }
    long now = clock;
    if (n.used != now) {
      n.used = now;
    }
    return n.value;
  }

  /** The value for {@code key}, made by {@code create} (at most once) if there is none. */
  V computeIfAbsent(K key, Function<? super K, ? extends V> create) {
    V v = get(key);
    if (v != null) {
      return v;
    }
    Node<K, V> dropped;
    synchronized (lock) {
      v = get(key);
      if (v != null) {
        return v;
      }
      v = create.apply(key);
      if (v == null) {
        return null;
      }
      dropped = insert(key, v);
    }
    evicted(dropped);
    return v;
  }

  /**
   * Adds {@code key} with {@code value} unless it is there.
   *
   * @return the value already there (marked used), or {@code null} if {@code value} was added
   */
  V putIfAbsent(K key, V value) {
    Node<K, V> dropped;
    synchronized (lock) {
      V old = get(key);
      if (old != null) {
        return old;
      }
      dropped = insert(key, value);
    }
    evicted(dropped);
    return null;
  }

  /** Drops {@code key} (no eviction callback). */
  V remove(K key) {
    synchronized (lock) {
      Node<K, V> n = map.remove(key);
      return n == null ? null : n.value;
    }
  }

  /** Drops everything (no eviction callbacks). */
  void clear() {
    synchronized (lock) {
      map.clear();
    }
  }

  /** A copy of the values, in no particular order. */
  List<V> values() {
    List<V> out = new ArrayList<>(map.size());
    for (Node<K, V> n : map.values()) {
      out.add(n.value);
    }
    return out;
  }

  int size() {
    return map.size();
  }

  /** Under the lock: adds a node and drops the least recently used if over the bound. */
  private Node<K, V> insert(K key, V value) {
    long now = clock + 1;
    clock = now;
    Node<K, V> added = new Node<>(key, value, now);
    map.put(key, added);
    if (map.size() <= maximumSize) {
      return null;
    }
    Node<K, V> oldest = null;
    for (Node<K, V> n : map.values()) {
      if (n != added && (oldest == null || n.used < oldest.used)) {
        oldest = n;
      }
    }
    map.remove(oldest.key, oldest);
    return oldest;
  }

  private void evicted(Node<K, V> dropped) {
    if (dropped != null && onEviction != null) {
      onEviction.accept(dropped.key, dropped.value);
    }
  }
}
