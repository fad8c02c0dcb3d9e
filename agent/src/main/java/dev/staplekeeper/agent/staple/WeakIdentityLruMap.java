package dev.staplekeeper.agent.staple;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;

/**
 * A bounded map from objects, compared by identity and held weakly, to values: what the handshake
 * path remembers about certificate objects the server presents, without keeping alive a certificate
 * the server has dropped.
 *
 * <p>Contract:
 *
 * <ul>
 *   <li>Keys are compared with {@code ==} and hashed with {@link System#identityHashCode}; the map
 *       holds them through {@link WeakReference}s only. Once the garbage collector clears a key its
 *       entry is gone for {@link #get}, and it is unlinked (its value let go) by the next write or
 *       {@link #size} call, which drain the map's {@link ReferenceQueue}.
 *   <li>{@link #get} takes no lock and allocates nothing: a hash chain walk on a table published
 *       through a volatile field. A read racing a write may miss an entry being added or moved; it
 *       never returns another key's value. Writes are serialised by the map's lock.
 *   <li>Bounded: an insertion that takes the map over {@code maximumSize} live entries drops the
 *       least recently used one, never the one just inserted. Recency is counted in insertions as
 *       in {@link LruMap} (reads write an entry's stamp only when it changed); finding the oldest
 *       scans the table (O(size)), which only happens when more objects than the bound are alive.
 * </ul>
 */
final class WeakIdentityLruMap<K, V> {
  /** One entry: a weak key, its value, when it was last used, and the next entry of the chain. */
  private static final class Ref<K, V> extends WeakReference<K> {
    final int hash;
    volatile V value;
    volatile long used;
    volatile Ref<K, V> next;

    Ref(K key, int hash, V value, long used, Ref<K, V> next, ReferenceQueue<K> queue) {
      super(key, queue);
      this.hash = hash;
      this.value = value;
      this.used = used;
      this.next = next;
    }
  }

  private static final int INITIAL_CAPACITY = 16;

  private final ReferenceQueue<K> queue = new ReferenceQueue<>();
  private final int maximumSize;
  private final Object lock = new Object();

  /** Republished after every write, so that a reader that reads it sees the write's links. */
  private volatile Ref<K, V>[] table = newTable(INITIAL_CAPACITY);

  /** Entries linked in the table (some perhaps cleared, not yet drained); under the lock. */
  private int size;

  /** Advanced (under the lock) by every insertion. */
  private volatile long clock;

  /**
   * @param maximumSize at least 1
   */
  WeakIdentityLruMap(int maximumSize) {
    if (maximumSize < 1) {
      throw new IllegalArgumentException("maximumSize " + maximumSize);
    }
    this.maximumSize = maximumSize;
  }

  /** The value for {@code key} (by identity), marked used, or {@code null}. */
  V get(K key) {
    if (key == null) {
      return null; // a cleared entry's referent is null too
    }
    Ref<K, V>[] t = table;
    int h = System.identityHashCode(key);
    for (Ref<K, V> e = t[h & (t.length - 1)]; e != null; e = e.next) {
      if (e.hash == h && e.get() == key) {
        long now = clock;
        if (e.used != now) {
          e.used = now;
        }
        return e.value;
      }
    }
    return null;
  }

  /** Maps {@code key} (by identity) to {@code value}, replacing any value it had. */
  void put(K key, V value) {
    if (key == null) {
      throw new NullPointerException("key");
    }
    int h = System.identityHashCode(key);
    synchronized (lock) {
      drain();
      long now = clock + 1;
      clock = now;
      Ref<K, V>[] t = table;
      int i = h & (t.length - 1);
      for (Ref<K, V> e = t[i]; e != null; e = e.next) {
        if (e.hash == h && e.get() == key) {
          e.value = value;
          e.used = now;
          table = t;
          return;
        }
      }
      Ref<K, V> added = new Ref<>(key, h, value, now, t[i], queue);
      t[i] = added;
      size++;
      if (size > maximumSize) {
        dropOldestBut(added);
      }
      if (size > t.length - (t.length >>> 2)) {
        t = grown(t);
      }
      table = t;
    }
  }

  /** Drops every entry. */
  void clear() {
    synchronized (lock) {
      drain();
      table = newTable(INITIAL_CAPACITY);
      size = 0;
    }
  }

  /** Live and not yet drained entries, after draining those the collector has queued. */
  int size() {
    synchronized (lock) {
      drain();
      return size;
    }
  }

  /** Under the lock: unlinks the entries whose keys the collector cleared and queued. */
  private void drain() {
    Reference<? extends K> r;
    while ((r = queue.poll()) != null) {
      unlink((Ref<?, ?>) r);
    }
  }

  /** Under the lock: unlinks the least recently used entry other than {@code keep}. */
  private void dropOldestBut(Ref<K, V> keep) {
    Ref<K, V> oldest = null;
    long oldestUsed = Long.MAX_VALUE;
    for (Ref<K, V> head : table) {
      for (Ref<K, V> e = head; e != null; e = e.next) {
        long used = e.get() == null ? Long.MIN_VALUE : e.used; // cleared, not yet queued: first
        if (e != keep && used < oldestUsed) {
          oldest = e;
          oldestUsed = used;
        }
      }
    }
    unlink(oldest);
  }

  /**
   * Under the lock: takes {@code gone} out of its chain, if it is still in the table (a reader
   * walking the chain goes on through its unchanged {@code next}).
   */
  private void unlink(Ref<?, ?> gone) {
    Ref<K, V>[] t = table;
    int i = gone.hash & (t.length - 1);
    Ref<K, V> previous = null;
    for (Ref<K, V> e = t[i]; e != null; previous = e, e = e.next) {
      if (e == gone) {
        if (previous == null) {
          t[i] = e.next;
        } else {
          previous.next = e.next;
        }
        size--;
        return;
      }
    }
  }

  /**
   * Under the lock: a table twice the size holding new entries for the live keys (new ones, so that
   * readers still walking the old table's chains are not led astray), the cleared ones left out.
   */
  private Ref<K, V>[] grown(Ref<K, V>[] old) {
    Ref<K, V>[] t = newTable(old.length * 2);
    int live = 0;
    for (Ref<K, V> head : old) {
      for (Ref<K, V> e = head; e != null; e = e.next) {
        K key = e.get();
        if (key != null) {
          int i = e.hash & (t.length - 1);
          t[i] = new Ref<>(key, e.hash, e.value, e.used, t[i], queue);
          live++;
        }
      }
    }
    size = live;
    return t;
  }

  @SuppressWarnings("unchecked")
  private static <K, V> Ref<K, V>[] newTable(int capacity) {
    return (Ref<K, V>[]) new Ref<?, ?>[capacity];
  }
}
