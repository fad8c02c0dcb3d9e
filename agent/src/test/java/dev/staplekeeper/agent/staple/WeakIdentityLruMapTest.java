package dev.staplekeeper.agent.staple;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class WeakIdentityLruMapTest {
  /** Equal to every other Key, so that only identity can tell them apart. */
  static final class Key {
    @Override
    public boolean equals(Object o) {
      return o instanceof Key;
    }

    @Override
    public int hashCode() {
      return 1;
    }
  }

  final WeakIdentityLruMap<Key, String> map = new WeakIdentityLruMap<>(3);

  @Test
  void comparesKeysByIdentityAndReplacesAValueOnPut() {
    Key a = new Key();
    Key equalToA = new Key();
    map.put(a, "A");
    assertThat(map.get(a)).isEqualTo("A");
    assertThat(map.get(equalToA)).isNull();
    assertThat(map.get(null)).isNull();

    map.put(a, "A2");
    map.put(equalToA, "other");
    assertThat(map.get(a)).isEqualTo("A2");
    assertThat(map.get(equalToA)).isEqualTo("other");
    assertThat(map.size()).isEqualTo(2);
  }

  @Test
  void dropsTheLeastRecentlyUsedLiveKeyBeyondTheBound() {
    Key a = new Key();
    Key b = new Key();
    Key c = new Key();
    Key d = new Key();
    Key e = new Key();
    map.put(a, "A");
    map.put(b, "B");
    map.put(c, "C");
    map.get(a);
    map.put(d, "D");
    assertThat(map.get(b)).isNull();
    assertThat(map.size()).isEqualTo(3);
    map.get(c);
    map.put(e, "E");
    assertThat(map.get(a)).isNull();
    assertThat(map.get(c)).isEqualTo("C");
    assertThat(map.get(d)).isEqualTo("D");
    assertThat(map.get(e)).isEqualTo("E");
    assertThat(map.size()).isEqualTo(3);
  }

  @Test
  void neverDropsTheKeyJustPut() {
    WeakIdentityLruMap<Key, Integer> one = new WeakIdentityLruMap<>(1);
    List<Key> keys = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      Key k = new Key();
      keys.add(k);
      one.put(k, i);
      assertThat(one.get(k)).isEqualTo(i);
      assertThat(one.size()).isEqualTo(1);
    }
  }

  @Test
  void doesNotKeepAKeyAliveAndForgetsItOnceCollected() throws Exception {
    WeakIdentityLruMap<Key, byte[]> weak = new WeakIdentityLruMap<>(1000);
    Key kept = new Key();
    weak.put(kept, new byte[1]);
    WeakReference<Key> dropped = putUnreferencedKeys(weak, 100);
    assertThat(weak.size()).isEqualTo(101);

    for (int i = 0; i < 100 && (dropped.get() != null || weak.size() > 1); i++) {
      System.gc();
      Thread.sleep(10);
    }
    assertThat(dropped.get()).as("key held only by the map").isNull();
    assertThat(weak.size()).as("entries of collected keys drained").isEqualTo(1);
    assertThat(weak.get(kept)).hasSize(1);
  }

  /** Puts {@code n} keys no one else references; returns a probe on the last. */
  private static WeakReference<Key> putUnreferencedKeys(WeakIdentityLruMap<Key, byte[]> m, int n) {
    Key k = null;
    for (int i = 0; i < n; i++) {
      k = new Key();
      m.put(k, new byte[1024]);
    }
    return new WeakReference<>(k);
  }

  @Test
  void findsEveryLiveKeyWhileTheTableGrowsUnderConcurrentReads() throws Exception {
    int n = 5000;
    WeakIdentityLruMap<Key, Integer> grown = new WeakIdentityLruMap<>(n);
    Key[] keys = new Key[n];
    for (int i = 0; i < n; i++) {
      keys[i] = new Key();
    }
    int early = 100;
    for (int i = 0; i < early; i++) {
      grown.put(keys[i], i);
    }
    AtomicBoolean writing = new AtomicBoolean(true);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Integer>> readers = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        readers.add(
            pool.submit(
                () -> {
                  int reads = 0;
                  while (writing.get() || reads == 0) {
                    for (int i = 0; i < early; i++, reads++) {
                      assertThat(grown.get(keys[i])).isEqualTo(i);
                    }
                  }
                  return reads;
                }));
      }
      Future<?> writer =
          pool.submit(
              () -> {
                for (int i = early; i < n; i++) {
                  grown.put(keys[i], i);
                }
                writing.set(false);
                return null;
              });
      writer.get(60, TimeUnit.SECONDS);
      for (Future<Integer> r : readers) {
        assertThat(r.get(60, TimeUnit.SECONDS)).isPositive();
      }
    } finally {
      pool.shutdownNow();
    }
    for (int i = 0; i < n; i++) {
      assertThat(grown.get(keys[i])).isEqualTo(i);
    }
    assertThat(grown.size()).isEqualTo(n);
  }
}
