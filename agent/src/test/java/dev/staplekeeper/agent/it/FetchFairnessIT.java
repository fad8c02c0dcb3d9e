package dev.staplekeeper.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.staplekeeper.testapps.checker.StapleChecker;
import dev.staplekeeper.testapps.pki.IssuedCert;
import dev.staplekeeper.testapps.pki.KeyType;
import dev.staplekeeper.testapps.pki.TestPki;
import dev.staplekeeper.testapps.process.ChildJvm;
import dev.staplekeeper.testapps.responder.FaultMode;
import dev.staplekeeper.testapps.responder.OcspResponder;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One bad responder must not starve the others (issue 9, point 3), against a forked {@code
 * jsse-server} with the packaged agent serving many certificates by SNI from one keystore, a real
 * responder that hangs every request and a healthy one.
 */
class FetchFairnessIT {
  static {
    System.setProperty("jdk.tls.client.enableStatusRequestExtension", "true");
  }

  @TempDir Path dir;

  static Stream<Path> jdks() {
    return ForkedServer.jdks().stream();
  }

  /** One handshake with SNI {@code host}: its time, and whether a good staple for it came. */
  record Sni(long millis, boolean stapledGood) {}

  @ParameterizedTest(name = "{0}")
  @MethodSource("jdks")
  void fortyCertificatesOfAHangingResponderDoNotDelayTheOneOfAHealthyResponder(Path jdk)
      throws Exception {
    try (OcspResponder hanging = OcspResponder.bind(0);
        OcspResponder healthy = OcspResponder.bind(0)) {
      TestPki pki = TestPki.create(dir, hanging.url(), false);
      hanging.start(pki, Duration.ofMinutes(5));
      hanging.mode(FaultMode.HANG);
      healthy.start(pki, Duration.ofMinutes(5));
      List<IssuedCert> certs = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        certs.add(leaf(pki, "h" + i + ".test", hanging));
      }
      IssuedCert good = leaf(pki, "healthy.test", healthy);
      certs.add(good);
      writeKeystore(pki, certs);
      try (ChildJvm server =
          ForkedServer.start(
              "fairness-" + ForkedServer.jdkName(jdk),
              jdk,
              dir,
              List.of("-javaagent:" + ForkedServer.agentJar()))) {
        Instant ready = Instant.now();
        Instant deadline = ready.plusSeconds(30);
        Sni r = handshake(server.port(), "healthy.test", good, pki);
        while (!r.stapledGood() && Instant.now().isBefore(deadline)) {
          Thread.sleep(200);
          r = handshake(server.port(), "healthy.test", good, pki);
        }
        double seconds = Duration.between(ready, Instant.now()).toMillis() / 1000.0;
        int hangingBefore = hanging.requestCount();
        assertThat(r.stapledGood()).as("healthy certificate stapled").isTrue();
        // the hanging responder's 40 fetches each take fetchTimeout (10 s) and hold at most 2 of
        // the 4 fetch slots, so the healthy one is fetched before any of them ends; before, they
        // held both fetch threads, 2 by 2, in prefetch order (41 fetches, 10 s each)
        assertThat(hangingBefore)
            .as("hanging requests before the healthy staple (%.1f s after READY)", seconds)
            .isLessThanOrEqualTo(2);
        assertThat(seconds).as("seconds from READY to the healthy staple").isLessThan(20);

        // while the 40 keep hanging: threads and file descriptors stay bounded
        int maxFds = 0;
        int maxThreads = 0;
        int maxFetchThreads = 0;
        for (int i = 0; i < 12; i++) {
          Thread.sleep(1000);
          long pid = server.pid();
          maxFds = Math.max(maxFds, count(Path.of("/proc/" + pid + "/fd")));
          maxThreads = Math.max(maxThreads, count(Path.of("/proc/" + pid + "/task")));
          maxFetchThreads = Math.max(maxFetchThreads, fetchThreads(pid));
          assertThat(handshake(server.port(), "healthy.test", good, pki).stapledGood()).isTrue();
        }
        System.out.printf(
            "%s: healthy staple %.1f s after READY; during the hang: max %d fds, %d threads,"
                + " %d fetch threads; hanging responder got %d requests, healthy %d%n",
            jdk.getFileName(),
            seconds,
            maxFds,
            maxThreads,
            maxFetchThreads,
            hanging.requestCount(),
            healthy.requestCount());
        assertThat(maxFetchThreads).as("fetch threads").isBetween(1, 4);
        assertThat(maxFds).as("open file descriptors of the server").isLessThan(120);
        assertThat(maxThreads).as("threads of the server").isLessThan(80);
        // per-host bound: at most 2 hanging requests at once, each cut at 10 s
        assertThat(hanging.requestCount()).as("requests to the hanging responder").isLessThan(12);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("jdks")
  void certificatesEvictedForSizeDoNotMakeHandshakesWaitAgain(Path jdk) throws Exception {
    try (OcspResponder hanging = OcspResponder.bind(0)) {
      TestPki pki = TestPki.create(dir, hanging.url(), false);
      hanging.start(pki, Duration.ofMinutes(5));
      hanging.mode(FaultMode.HANG);
      List<IssuedCert> certs = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        certs.add(leaf(pki, "c" + i + ".test", hanging));
      }
      writeKeystore(pki, certs);
      try (ChildJvm server =
          ForkedServer.start(
              "eviction-" + ForkedServer.jdkName(jdk),
              jdk,
              dir,
              List.of(
                  "-javaagent:" + ForkedServer.agentJar(),
                  "-Dstaplekeeper.cacheSize=40",
                  "-Dstaplekeeper.coldWait=2s"))) {
        // first round, in parallel: each certificate may spend its one cold wait
        ExecutorService pool = Executors.newFixedThreadPool(10);
        try {
          List<Future<Sni>> first = new ArrayList<>();
          for (int i = 0; i < certs.size(); i++) {
            IssuedCert c = certs.get(i);
            String host = "c" + i + ".test";
            first.add(pool.submit(() -> handshake(server.port(), host, c, pki)));
          }
          for (Future<Sni> f : first) {
            f.get();
          }
        } finally {
          pool.shutdownNow();
        }
        // second round: every certificate again; the 20 beyond cacheSize were pushed out
        long slowest = 0;
        int overOneSecond = 0;
        for (int i = 0; i < certs.size(); i++) {
          Sni r = handshake(server.port(), "c" + i + ".test", certs.get(i), pki);
          slowest = Math.max(slowest, r.millis());
          overOneSecond += r.millis() > 1000 ? 1 : 0;
        }
        System.out.printf(
            "%s: second round of 60 handshakes with cacheSize=40, coldWait=2s: slowest %d ms,"
                + " %d over 1 s%n",
            jdk.getFileName(), slowest, overOneSecond);
        assertThat(slowest).as("slowest handshake of the second round (ms)").isLessThan(1500);
        String out = server.output();
        int warnings = out.split("Raise cacheSize", -1).length - 1;
        assertThat(warnings).as("one WARNING saying to raise cacheSize:\n%s", out).isEqualTo(1);
      }
    }
  }

  /**
   * An RSA leaf: the JDK's SNI-aware key manager rejects the test PKI's EC leaves for servers (no
   * keyAgreement bit) and would then present the first alias whatever the server name.
   */
  static IssuedCert leaf(TestPki pki, String cn, OcspResponder responder) {
    return pki.issueLeaf(cn, responder.url(), KeyType.RSA_2048, false);
  }

  /** Replaces the PKI's server.p12 with one key entry per certificate (SNI picks among them). */
  static void writeKeystore(TestPki pki, List<IssuedCert> certs)
      throws IOException, GeneralSecurityException {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    char[] pw = TestPki.PASSWORD.toCharArray();
    for (int i = 0; i < certs.size(); i++) {
      IssuedCert c = certs.get(i);
      ks.setKeyEntry("cert" + i, c.key(), pw, c.chain());
    }
    try (OutputStream out = Files.newOutputStream(pki.keystore())) {
      ks.store(out, pw);
    }
  }

  static Sni handshake(int port, String host, IssuedCert expected, TestPki pki) throws Exception {
    SSLContext context = StapleChecker.clientContext(pki.root());
    try (Socket tcp = new Socket()) {
      tcp.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      tcp.setSoTimeout(15_000);
      try (SSLSocket tls =
          (SSLSocket) context.getSocketFactory().createSocket(tcp, host, port, true)) {
        SSLParameters params = tls.getSSLParameters();
        params.setServerNames(List.of(new SNIHostName(host)));
        params.setProtocols(new String[] {"TLSv1.3"});
        tls.setSSLParameters(params);
        long t0 = System.nanoTime();
        tls.startHandshake();
        long millis = (System.nanoTime() - t0) / 1_000_000;
        ExtendedSSLSession session = (ExtendedSSLSession) tls.getSession();
        assertThat(session.getPeerCertificates()[0])
            .as("certificate presented for %s", host)
            .isEqualTo(expected.cert());
        List<byte[]> staples = session.getStatusResponses();
        boolean good = false;
        if (!staples.isEmpty() && staples.get(0) != null && staples.get(0).length > 0) {
          BasicOCSPResp basic = (BasicOCSPResp) new OCSPResp(staples.get(0)).getResponseObject();
          SingleResp single = basic.getResponses()[0];
          good =
              single.getCertID().getSerialNumber().equals(expected.cert().getSerialNumber())
                  && single.getCertStatus() == null
                  && single.getNextUpdate().toInstant().isAfter(Instant.now());
        }
        return new Sni(millis, good);
      }
    }
  }

  static int count(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return (int) s.count();
    }
  }

  /** Threads named staplekeeper-fetch-N (the kernel keeps 15 characters of a thread name). */
  static int fetchThreads(long pid) throws IOException {
    int n = 0;
    try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
      for (Path t : (Iterable<Path>) tasks::iterator) {
        try {
          if (Files.readString(t.resolve("comm")).trim().startsWith("staplekeeper-fe")) {
            n++;
          }
        } catch (IOException gone) {
          // thread ended meanwhile
        }
      }
    }
    return n;
  }
}
