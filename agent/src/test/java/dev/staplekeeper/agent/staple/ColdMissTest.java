package dev.staplekeeper.agent.staple;

import static org.assertj.core.api.Assertions.assertThat;

import dev.staplekeeper.agent.ocsp.ResponseValidator;
import dev.staplekeeper.testapps.ocsp.OcspResponseFactory;
import dev.staplekeeper.testapps.pki.TestPki;
import java.net.URI;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cold-miss path on real threads: bounded waiting and one fetch however many handshakes. */
class ColdMissTest {
  @TempDir static Path dir;
  static TestPki pki;
  static OcspResponseFactory factory;

  final CountDownLatch release = new CountDownLatch(1);
  final AtomicInteger fetches = new AtomicInteger();
  StapleService service;

  @BeforeAll
  static void pki() throws Exception {
    pki = TestPki.create(dir, URI.create("http://127.0.0.1:1/ocsp"), false);
    factory = new OcspResponseFactory(pki);
  }

  @AfterEach
  void close() {
    release.countDown();
    if (service != null) {
      service.close();
    }
  }

  StapleService service(Duration coldWait, ResponseSource source) {
    StapleSettings settings =
        StapleServiceTest.SETTINGS.toBuilder().refreshJitter(0.05).coldWait(coldWait).build();
    service =
        StapleService.builder(settings)
            .source(source)
            .validator(new ResponseValidator(Duration.ofMinutes(5)))
            .resolver(cert -> pki.ocspUrl())
            .build();
    return service;
  }

  long millis(Runnable r) {
    long t = System.nanoTime();
    r.run();
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t);
  }

  @Test
  void aFastResponderStaplesTheVeryFirstHandshake() throws Exception {
    StapleService s =
        service(
            Duration.ofSeconds(2),
            (uri, id) -> {
              fetches.incrementAndGet();
              return factory.forCertificate(pki.server()).build();
            });
    assertThat(s.responses("OCSP", pki.serverChain())).containsKey(pki.server());
    assertThat(fetches).hasValue(1);
  }

  @Test
  void aHangingResponderDelaysOneHandshakeByTheColdWaitAndNoOtherOne() throws Exception {
    StapleService s =
        service(
            Duration.ofMillis(300),
            (uri, id) -> {
              fetches.incrementAndGet();
              release.await();
              throw new java.net.SocketTimeoutException("read timed out");
            });
    X509Certificate[] chain = pki.serverChain();
    long first = millis(() -> assertThat(s.responses("OCSP", chain)).isEmpty());
    assertThat(first).isBetween(250L, 3000L);
    for (int i = 0; i < 20; i++) {
      long next = millis(() -> assertThat(s.responses("OCSP", chain)).isEmpty());
      assertThat(next).as("handshake %d after the cold wait was spent", i).isLessThan(250L);
    }
    assertThat(fetches).hasValue(1);
  }

  @Test
  void concurrentColdHandshakesShareOneFetch() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    StapleService s =
        service(
            Duration.ofSeconds(5),
            (uri, id) -> {
              fetches.incrementAndGet();
              started.countDown();
              release.await();
              return factory.forCertificate(pki.server()).build();
            });
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<Map<X509Certificate, byte[]>>> handshakes = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        handshakes.add(pool.submit(() -> s.responses("OCSP", pki.serverChain())));
      }
      assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
      Thread.sleep(200);
      release.countDown();
      for (Future<Map<X509Certificate, byte[]>> h : handshakes) {
        assertThat(h.get(10, TimeUnit.SECONDS)).containsKey(pki.server());
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(fetches).hasValue(1);
  }
}
