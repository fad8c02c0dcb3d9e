package dev.staplekeeper.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import org.junit.jupiter.api.Test;

/** Handshakes and contexts that come while the staple service is still being built. */
class StartingServiceTest {
  private static final Map<X509Certificate, byte[]> STAPLES = Map.of();
  private final List<KeyManager[]> prefetched = new CopyOnWriteArrayList<>();
  private final List<KeyManager[]> scannedNow = new CopyOnWriteArrayList<>();

  @Test
  void aHandshakeBeforeTheServiceWaitsForIt() throws Exception {
    StartingService starting = new StartingService(10, TimeUnit.SECONDS);
    CompletableFuture<Map<X509Certificate, byte[]>> handshake =
        CompletableFuture.supplyAsync(() -> starting.responses("OCSP", new X509Certificate[0]));
    Thread.sleep(200);
    assertThat(handshake).isNotDone();

    starting.ready((type, chain) -> STAPLES, scannedNow::add, prefetched::add);

    assertThat(handshake.get(5, TimeUnit.SECONDS)).isSameAs(STAPLES);
  }

  @Test
  void aHandshakeGetsTheJdksOwnCodeWhenTheServiceIsLateOrFailed() {
    StartingService late = new StartingService(100, TimeUnit.MILLISECONDS);
    long t0 = System.nanoTime();
    assertThat(late.responses("OCSP", new X509Certificate[0])).isNull();
    assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100));

    StartingService failed = new StartingService(1, TimeUnit.HOURS);
    failed.failed();
    assertThat(failed.responses("OCSP", new X509Certificate[0])).isNull();
  }

  @Test
  void contextsBeforeTheServiceAreScannedBeforeHandshakesGoOn() {
    StartingService starting = new StartingService(1, TimeUnit.SECONDS);
    KeyManager[] first = new KeyManager[1];
    KeyManager[] second = new KeyManager[2];
    starting.contextInitialized(first);
    assertThat(prefetched).isEmpty();

    starting.ready((type, chain) -> STAPLES, scannedNow::add, prefetched::add);
    starting.contextInitialized(second);

    assertThat(scannedNow).as("scanned before any handshake is let go").containsExactly(first);
    assertThat(prefetched).containsExactly(second);
  }
}
