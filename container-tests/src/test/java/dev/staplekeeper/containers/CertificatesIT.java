package dev.staplekeeper.containers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.staplekeeper.testapps.pki.IssuedCert;
import dev.staplekeeper.testapps.pki.KeyType;
import dev.staplekeeper.testapps.pki.TestPki;
import dev.staplekeeper.testapps.process.ChildJvm;
import dev.staplekeeper.testapps.responder.FaultMode;
import dev.staplekeeper.testapps.responder.OcspResponder;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Several certificates on one real server distribution, from two CAs with a responder each, and a
 * certificate renewed while the server runs (issue 12 points 1 and 2):
 *
 * <ul>
 *   <li>{@code a.test}: an ECDSA and an RSA certificate from CA A (responder A), the client's
 *       signature algorithms or cipher suite choosing which one the server presents;
 *   <li>{@code b.test}: an ECDSA certificate from CA B (responder B);
 *   <li>{@code c.test}: served without its issuer (from a third CA, whose intermediate is nowhere
 *       in the server's keystores: a PKCS12 keystore completes a chain from any certificate in the
 *       file); {@code d.test} (where the server can present it, see {@link #presentsWrongIssuer}):
 *       from CA A, served with CA B's intermediate, which has the same name but another key.
 *       Neither can be stapled.
 * </ul>
 *
 * Each subclass owns its PKIs, responders and server (classes run in parallel); methods run in
 * order on one server. The agent refreshes every 6 s (see {@link Agent}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class CertificatesIT {
  static final Duration VALIDITY = Duration.ofMinutes(2);

  /** Longer than the 6 s refresh period: the healthy responder is asked again meanwhile. */
  static final Duration OUTAGE = Duration.ofSeconds(8);

  /** Longest wait for the server to present a renewed certificate after its reload. */
  static final Duration RELOAD = Duration.ofSeconds(20);

  static final String A = "a.test";
  static final String B = "b.test";
  static final String LEAF_ONLY = "c.test";
  static final String WRONG_ISSUER = "d.test";

  Path work;
  OcspResponder responderA;
  OcspResponder responderB;
  TestPki pkiA;
  TestPki pkiB;
  TestPki pkiC;
  IssuedCert aEc;
  IssuedCert aRsa;
  IssuedCert b;
  IssuedCert leafOnly;
  IssuedCert wrongIssuer;
  ChildJvm server;
  int port;
  final List<String> seen = new ArrayList<>();

  abstract String name();

  abstract int jdkFeature();

  /**
   * Writes the server's keystores for the current certificates (also called to renew {@link #aEc});
   * the first call happens before {@link #start}.
   */
  abstract void writeKeystores() throws IOException;

  abstract ChildJvm start(Path jdk, List<String> jvmOptions) throws Exception;

  /** Makes the running server take the keystores {@link #writeKeystores} just wrote. */
  abstract void reload() throws Exception;

  /**
   * Whether the server presents {@link #wrongIssuer}'s chain as given. A PKCS12 keystore cannot
   * hold it: loading rebuilds each chain by issuer name and key identifier.
   */
  abstract boolean presentsWrongIssuer();

  @BeforeAll
  void startResponderAndServer() throws Exception {
    work = Path.of(System.getProperty("staplekeeper.it.work", "target/it-work")).resolve(name());
    Files.createDirectories(work);
    responderA = OcspResponder.bind(0);
    responderB = OcspResponder.bind(0);
    pkiA = TestPki.create(work.resolve("pki-a"), responderA.url(), false);
    pkiB = TestPki.create(work.resolve("pki-b"), responderB.url(), false);
    responderA.start(pkiA, VALIDITY);
    responderB.start(pkiB, VALIDITY);
    aEc = pkiA.issueLeaf(A, responderA.url(), KeyType.EC_P256, false);
    aRsa = pkiA.issueLeaf(A, responderA.url(), KeyType.RSA_2048, false);
    b = pkiB.issueLeaf(B, responderB.url(), KeyType.EC_P256, false);
    pkiC = TestPki.create(work.resolve("pki-c"), responderA.url(), false);
    IssuedCert c = pkiC.issueLeaf(LEAF_ONLY, responderA.url());
    leafOnly = c.withChain(c.cert());
    IssuedCert d = pkiA.issueLeaf(WRONG_ISSUER, responderA.url());
    wrongIssuer = d.withChain(d.cert(), pkiB.intermediate());
    writeKeystores();
    port = Ports.free();
    server = start(Jdks.jdk(jdkFeature()), Agent.jvmOptions(work.resolve("staple-cache")));
  }

  @AfterAll
  void stop() throws IOException {
    try {
      Files.write(work.resolve("observations.txt"), seen);
    } finally {
      try {
        if (server != null) {
          server.close();
        }
      } finally {
        responderA.close();
        responderB.close();
      }
    }
  }

  CertHandshake openssl(String host, String tls, String keyType) throws IOException {
    TestPki pki = host.equals(B) ? pkiB : pkiA;
    return record(CertHandshake.openssl(port, host, pki.dir().resolve("root.pem"), tls, keyType));
  }

  CertHandshake jdk(String host, String protocol, String suite) {
    TestPki pki = host.equals(B) ? pkiB : pkiA;
    return record(CertHandshake.jdk(port, host, pki.root(), protocol, suite));
  }

  CertHandshake gnutls(String host, String priority) throws IOException {
    TestPki pki = host.equals(B) ? pkiB : pkiA;
    return record(CertHandshake.gnutls(port, host, pki.dir().resolve("root.pem"), priority));
  }

  CertHandshake record(CertHandshake h) {
    synchronized (seen) {
      seen.add(h.summary());
    }
    return h;
  }

  /** A good staple for {@code expected}, which the server presented. */
  void assertStapledFor(CertHandshake h, IssuedCert expected) {
    assertThat(h.presented())
        .as("%s: presented certificate\n%s\n--- server ---\n%s", name(), h, server.tail())
        .isEqualTo(expected.cert().getSerialNumber());
    assertThat(h.stapledForPresented())
        .as(
            "%s: a good staple for the presented certificate\n%s\n--- server ---\n%s",
            name(), h, server.tail())
        .isTrue();
  }

  /**
   * From the first handshake after start (the agent prefetched every certificate when the server
   * built its contexts), each handshake carries the response for the certificate it presents.
   */
  @Test
  @Order(1)
  void eachHandshakeIsStapledWithTheResponseForTheCertificateItPresents() throws Exception {
    assertStapledFor(openssl(A, "-tls1_3", "ECDSA"), aEc);
    assertStapledFor(openssl(A, "-tls1_3", "RSA"), aRsa);
    assertStapledFor(openssl(B, "-tls1_3", null), b);
    assertStapledFor(openssl(A, "-tls1_2", "ECDSA"), aEc);
    assertStapledFor(openssl(A, "-tls1_2", "RSA"), aRsa);
    assertStapledFor(openssl(B, "-tls1_2", null), b);
    assertStapledFor(jdk(A, "TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"), aEc);
    assertStapledFor(jdk(A, "TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"), aRsa);
    assertStapledFor(jdk(B, "TLSv1.3", null), b);
    if (GnutlsClient.installed()) {
      assertStapledFor(gnutls(B, null), b);
      assertStapledFor(gnutls(A, "NORMAL:-VERS-TLS1.3:-KX-ALL:+ECDHE-RSA"), aRsa);
      assertStapledFor(gnutls(A, "NORMAL:-VERS-TLS1.3:-KX-ALL:+ECDHE-ECDSA"), aEc);
    }
  }

  /**
   * Responder B fails: b.test keeps its held response (the same one), while the agent goes on
   * refreshing CA A's certificates from responder A on their own schedule, undelayed by B's
   * backoff.
   */
  @Test
  @Order(2)
  void oneFailingResponderDoesNotHoldUpTheOther() throws Exception {
    CertHandshake aBefore = openssl(A, "-tls1_3", "ECDSA");
    int aRequests = responderA.requestCount();
    responderB.mode(FaultMode.DOWN);
    // responder B signs nothing from now on: every staple of b.test is one it held already (a
    // refresh answered just before the switch may still be taken in, so not always the same one)
    Instant down = Instant.now();
    try {
      long end = System.nanoTime() + OUTAGE.toNanos();
      while (System.nanoTime() < end) {
        CertHandshake h = openssl(B, "-tls1_3", null);
        assertStapledFor(h, b);
        assertThat(h.thisUpdate()).as("b.test's held response").isBeforeOrEqualTo(down);
        assertStapledFor(jdk(A, "TLSv1.3", null), aEc);
        Thread.sleep(200);
      }
      CertHandshake aAfter = openssl(A, "-tls1_3", "ECDSA");
      assertStapledFor(aAfter, aEc);
      assertThat(aAfter.thisUpdate())
          .as("a.test refreshed from responder A while responder B was down")
          .isAfter(aBefore.thisUpdate());
      assertThat(responderA.requestCount() - aRequests)
          .as("responder A asked on its schedule (two certificates, a refresh every 6 s)")
          .isGreaterThanOrEqualTo(2);
    } finally {
      responderB.mode(FaultMode.HEALTHY);
    }
  }

  /**
   * a.test's ECDSA certificate is renewed: its keystore is replaced and the server reloads it, the
   * way an operator does. While responder A is down the old certificate keeps its held response;
   * the first handshake that presents the new certificate carries a good staple for it, on TLS 1.3
   * and 1.2.
   */
  @Test
  @Order(3)
  void aRenewedCertificateIsStapledFromItsFirstHandshake() throws Exception {
    IssuedCert old = aEc;
    CertHandshake held = openssl(A, "-tls1_3", "ECDSA");
    assertStapledFor(held, old);
    responderA.mode(FaultMode.DOWN);
    Instant down = Instant.now();
    try {
      for (int i = 0; i < 3; i++) {
        CertHandshake h = openssl(A, "-tls1_3", "ECDSA");
        assertStapledFor(h, old);
        assertThat(h.thisUpdate())
            .as("the old certificate's held response")
            .isBetween(held.thisUpdate(), down);
      }
    } finally {
      responderA.mode(FaultMode.HEALTHY);
    }

    aEc = pkiA.issueLeaf(A, responderA.url(), KeyType.EC_P256, false);
    writeKeystores();
    reload();
    CertHandshake first = awaitPresented(() -> openssl(A, "-tls1_3", "ECDSA"), aEc);
    assertStapledFor(first, aEc);
    assertStapledFor(openssl(A, "-tls1_2", "ECDSA"), aEc);
    assertStapledFor(jdk(A, "TLSv1.3", null), aEc);
    assertStapledFor(jdk(A, "TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"), aRsa);
    assertStapledFor(openssl(B, "-tls1_3", null), b);
    assertThat(server.output())
        .contains("StapleKeeper now stapling CN=" + A + " [serial=" + hex(aEc));
  }

  /**
   * A certificate served without its issuer, or with the wrong one: the handshake goes on without a
   * staple and the server log has one WARNING per certificate, naming it and what is missing.
   */
  @Test
  @Order(4)
  void aChainWithoutItsIssuerIsNamedOnceAndNeverBreaksAHandshake() throws Exception {
    List<String> hosts =
        presentsWrongIssuer() ? List.of(LEAF_ONLY, WRONG_ISSUER) : List.of(LEAF_ONLY);
    for (int i = 0; i < 3; i++) {
      for (String host : hosts) {
        Command.Result r =
            Command.run(
                List.of(
                    "openssl",
                    "s_client",
                    "-connect",
                    "127.0.0.1:" + port,
                    "-servername",
                    host,
                    "-status"),
                Duration.ofSeconds(20));
        assertThat(r.output()).as("handshake with %s", host).contains("BEGIN CERTIFICATE");
        assertThat(r.output()).contains("OCSP response: no response sent");
      }
    }
    String log = server.output();
    assertThat(count(log, "cannot staple CN=" + LEAF_ONLY + " (serial " + hex(leafOnly)))
        .as("one warning for the leaf-only chain\n%s", server.tail())
        .isEqualTo(1);
    assertThat(log).contains("presents it without its issuer certificate");
    if (presentsWrongIssuer()) {
      assertThat(count(log, "cannot staple CN=" + WRONG_ISSUER + " (serial " + hex(wrongIssuer)))
          .as("one warning for the chain with the wrong issuer\n%s", server.tail())
          .isEqualTo(1);
      assertThat(log).contains("has its issuer's name but another key");
    }
  }

  private static int count(String text, String part) {
    int n = 0;
    for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
      n++;
    }
    return n;
  }

  static String hex(IssuedCert cert) {
    return CertHandshake.hex(cert.cert().getSerialNumber());
  }

  /** Handshakes every 100 ms until one presents {@code expected}; returns that first one. */
  CertHandshake awaitPresented(Callable<CertHandshake> handshake, IssuedCert expected)
      throws Exception {
    BigInteger serial = expected.cert().getSerialNumber();
    long end = System.nanoTime() + RELOAD.toNanos();
    CertHandshake h = handshake.call();
    while (!serial.equals(h.presented()) && System.nanoTime() < end) {
      Thread.sleep(100);
      h = handshake.call();
    }
    return h;
  }
}
