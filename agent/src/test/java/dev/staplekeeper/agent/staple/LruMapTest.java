package dev.staplekeeper.agent.staple;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class LruMapTest {
  final List<String> evictions = new ArrayList<>();
  final LruMap<String, String> map = new LruMap<>(3, (k, v) -> evictions.add(k + "=" + v));

  @Test
  void dropsTheLeastRecentlyUsedWhenAnInsertionGoesOverTheBound() {
    map.putIfAbsent("a", "A");
    map.putIfAbsent("b", "B");
    map.putIfAbsent("c", "C");
    assertThat(map.get("a")).isEqualTo("A");

    map.putIfAbsent("d", "D");
    assertThat(evictions).containsExactly("b=B");
    assertThat(map.get("c")).isEqualTo("C");

    map.computeIfAbsent("e", k -> "E");
    assertThat(evictions).containsExactly("b=B", "a=A");
    assertThat(map.get("a")).isNull();
    assertThat(map.get("b")).isNull();
    assertThat(map.values()).containsExactlyInAnyOrder("C", "D", "E");
    assertThat(map.size()).isEqualTo(3);
  }

  @Test
  void aPutOfAPresentKeyKeepsItsValueAndCountsAsAUse() {
    map.putIfAbsent("a", "A");
    map.putIfAbsent("b", "B");
    map.putIfAbsent("c", "C");
    assertThat(map.putIfAbsent("a", "other")).isEqualTo("A");
    map.putIfAbsent("d", "D");
    assertThat(evictions).containsExactly("b=B");
    assertThat(map.get("a")).isEqualTo("A");
  }

  @Test
  void neverDropsTheEntryJustInserted() {
    LruMap<Integer, Integer> one = new LruMap<>(1, null);
    LruMap<Integer, Integer> few = new LruMap<>(4, null);
    for (int i = 0; i < 1000; i++) {
      one.computeIfAbsent(i, k -> k);
      few.putIfAbsent(i, i);
      for (int j = Math.max(0, i - 3); j <= i; j++) {
        few.get(j); // every entry as recent as the next one inserted can be
      }
      assertThat(one.get(i)).isEqualTo(i);
      assertThat(few.get(i)).isEqualTo(i);
      assertThat(one.size()).isEqualTo(1);
      assertThat(few.size()).isEqualTo(Math.min(i + 1, 4));
    }
  }

  @Test
  void callsBackOnlyForEntriesTheBoundDrops() {
    map.putIfAbsent("a", "A");
    map.putIfAbsent("b", "B");
    assertThat(map.remove("a")).isEqualTo("A");
    assertThat(map.remove("a")).isNull();
    map.clear();
    assertThat(map.size()).isZero();
    assertThat(evictions).isEmpty();

    for (String k : List.of("c", "d", "e", "f", "g")) {
      map.putIfAbsent(k, k.toUpperCase());
    }
    assertThat(evictions).containsExactly("c=C", "d=D");
  }

  @Test
  void aNullOrFailingCreateInsertsNothing() {
    assertThat(map.computeIfAbsent("a", k -> null)).isNull();
    assertThat(map.size()).isZero();
    assertThatThrownBy(
            () ->
                map.computeIfAbsent(
                    "a",
                    k -> {
                      throw new IllegalStateException("boom");
                    }))
        .hasMessage("boom");
    assertThat(map.computeIfAbsent("a", k -> "A")).isEqualTo("A");
    assertThat(map.values()).containsExactly("A");
  }

  @Test
  void createsEachValueOnceAndEveryConcurrentCallerGetsIt() throws Exception {
    int keys = 2000;
    int threads = 16;
    LruMap<Integer, Object> shared = new LruMap<>(keys, null);
    AtomicIntegerArray created = new AtomicIntegerArray(keys);
    Object[][] seen = new Object[threads][keys];
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        done.add(
            pool.submit(
                () -> {
                  go.await();
                  for (int i = 0; i < keys; i++) {
                    int key = (i * 7 + thread * 131) % keys; // threads meet on keys in other orders
                    seen[thread][key] =
                        shared.computeIfAbsent(
                            key,
                            k -> {
                              created.incrementAndGet(k);
                              return new Object();
                            });
                  }
                  return null;
                }));
      }
      go.countDown();
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    for (int k = 0; k < keys; k++) {
      assertThat(created.get(k)).as("creations of %d", k).isEqualTo(1);
      for (int t = 1; t < threads; t++) {
        assertThat(seen[t][k]).as("key %d, thread %d", k, t).isSameAs(seen[0][k]);
      }
      assertThat(shared.get(k)).isSameAs(seen[0][k]);
    }
  }

  @Test
  void staysWithinItsBoundUnderConcurrentInsertions() throws Exception {
    int bound = 50;
    int threads = 8;
    int perThread = 5000;
    AtomicInteger dropped = new AtomicInteger();
    LruMap<Integer, Integer> shared = new LruMap<>(bound, (k, v) -> dropped.incrementAndGet());
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int base = t * perThread;
        done.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < perThread; i++) {
                    Integer v = shared.computeIfAbsent(base + i, k -> k);
                    assertThat(v).isEqualTo(base + i);
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(shared.size()).isEqualTo(bound);
    assertThat(dropped.get()).isEqualTo(threads * perThread - bound);
  }
}
