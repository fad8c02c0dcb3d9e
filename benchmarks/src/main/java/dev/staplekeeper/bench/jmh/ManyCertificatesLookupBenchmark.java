package dev.staplekeeper.bench.jmh;

import dev.staplekeeper.agent.StapleWiring;
import dev.staplekeeper.agent.config.AgentConfig;
import dev.staplekeeper.agent.staple.StapleService;
import dev.staplekeeper.testapps.pki.TestPki;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The handshake-path lookup on a cache hit when the service holds many certificates: {@code
 * certificates} leaves of the test PKI (within the default {@code cacheSize}), each fetched once
 * from a real {@link dev.staplekeeper.testapps.responder.OcspResponder} on loopback and validated;
 * each call asks for the next chain in turn, so the measured lookups touch every entry. Tear-down
 * checks that the responder saw no request during the measurement (every call a hit).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx1g"})
public class ManyCertificatesLookupBenchmark {
  static {
    LookupBenchmark.quiet(); // thousands of INFO lines from the service and responder otherwise
  }

  /** StapleService built as the agent builds it, holding {@code certificates} responses. */
  @State(Scope.Benchmark)
  public static class ManyHits {
    @Param({"1", "2000"})
    int certificates;

    LookupBenchmark.Responder fixture;
    StapleService service;
    X509Certificate[][] chains;
    int next;
    int requestsAfterSetup;

    @Setup
    public void setUp() throws Exception {
      fixture = new LookupBenchmark.Responder();
      TestPki pki = fixture.responder.pki();
      chains =
          IntStream.range(0, certificates)
              .parallel()
              .mapToObj(i -> pki.issueLeaf("h" + i + ".test", pki.ocspUrl()).chain())
              .toArray(X509Certificate[][]::new);
      service = StapleWiring.service(AgentConfig.defaults()).build();
      for (X509Certificate[] chain : chains) {
        service.prefetch(chain);
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      for (X509Certificate[] chain : chains) {
        while (service.responses("OCSP", chain).isEmpty()) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException(
                "no response for " + chain[0].getSubjectX500Principal());
          }
          Thread.sleep(5);
        }
        LookupBenchmark.checkHit(service.responses("OCSP", chain), chain);
      }
      requestsAfterSetup = fixture.responder.requestCount();
    }

    X509Certificate[] nextChain() {
      X509Certificate[] chain = chains[next];
      next = next + 1 == chains.length ? 0 : next + 1;
      return chain;
    }

    @TearDown
    public void tearDown() throws IOException {
      int during = fixture.responder.requestCount() - requestsAfterSetup;
      service.close();
      fixture.close();
      LookupBenchmark.checkAllHits(during);
    }
  }

  @Benchmark
  public Map<X509Certificate, byte[]> stapleKeeper(ManyHits s) {
    return s.service.responses("OCSP", s.nextChain());
  }
}
