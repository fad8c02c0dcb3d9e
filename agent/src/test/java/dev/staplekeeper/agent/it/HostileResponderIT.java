package dev.staplekeeper.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.staplekeeper.agent.ocsp.Asn1Mutator;
import dev.staplekeeper.agent.ocsp.Asn1Mutator.Form;
import dev.staplekeeper.agent.ocsp.HostileResponses;
import dev.staplekeeper.testapps.checker.StapleChecker;
import dev.staplekeeper.testapps.checker.StapleVerdict;
import dev.staplekeeper.testapps.ocsp.OcspResponseFactory;
import dev.staplekeeper.testapps.pki.TestPki;
import dev.staplekeeper.testapps.process.ChildJvm;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9 point 1 end to end: a responder serving crafted bytes (a valid response an on-path
 * attacker re-framed in BER and padded with extra certificates to 40 KB, a junk entry and a
 * certificate the JDK cannot parse) in front of the packaged agent in a forked server. The JDK
 * client with default settings, {@code openssl s_client -status} and {@code gnutls-cli --ocsp} all
 * accept what is stapled; mutated responses whose signed part is broken never replace the held
 * staple.
 */
class HostileResponderIT {
  @TempDir Path dir;

  /** An HTTP responder that answers every request with the current {@link #body}. */
  static final class CraftedResponder implements AutoCloseable {
    final HttpServer http;
    final AtomicInteger requests = new AtomicInteger();
    volatile Supplier<byte[]> body = () -> new byte[0];

    CraftedResponder() throws IOException {
      http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
      http.createContext(
          "/ocsp",
          exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
              in.readAllBytes();
            }
            byte[] b;
            try {
              b = body.get();
            } catch (RuntimeException e) {
              b = new byte[0];
            }
            exchange.getResponseHeaders().add("Content-Type", "application/ocsp-response");
            exchange.sendResponseHeaders(200, b.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(b);
            }
            requests.incrementAndGet();
          });
      http.start();
    }

    URI url() {
      return URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/ocsp");
    }

    boolean awaitRequests(int atLeast, Duration timeout) throws InterruptedException {
      long end = System.nanoTime() + timeout.toNanos();
      while (requests.get() < atLeast && System.nanoTime() < end) {
        Thread.sleep(50);
      }
      return requests.get() >= atLeast;
    }

    @Override
    public void close() {
      http.stop(0);
    }
  }

  @Test
  void everyClientAcceptsTheStapleAndMutationsNeverReplaceIt() throws Exception {
    Path jdk = ForkedServer.jdks().get(ForkedServer.jdks().size() - 1);
    try (CraftedResponder responder = new CraftedResponder()) {
      TestPki pki = TestPki.create(dir.resolve("pki"), responder.url(), false);
      OcspResponseFactory factory = new OcspResponseFactory(pki);
      Duration validity = Duration.ofSeconds(60);
      byte[] first = reframed(pki, factory, Instant.now(), validity);
      assertThat(first.length).as("over the JDK's 32 KiB handshake limit").isGreaterThan(32768);
      // every request gets a freshly signed response, re-framed and padded again
      responder.body = () -> uncheck(() -> reframed(pki, factory, Instant.now(), validity));

      try (ChildJvm server =
          ForkedServer.start(
              "hostile-responder",
              jdk,
              pki.dir(),
              List.of(
                  "-javaagent:" + ForkedServer.agentJar(),
                  "-Dstaplekeeper.coldWait=5s",
                  "-Dstaplekeeper.refreshFraction=0.05",
                  "-Dstaplekeeper.refreshJitter=0",
                  "-Dstaplekeeper.retryInitialBackoff=200ms",
                  "-Dstaplekeeper.retryMaxBackoff=1s"))) {
        StapleVerdict tls13 = StapleChecker.check("127.0.0.1", server.port(), "TLSv1.3", pki);
        assertThat(tls13.validStaple()).as("JDK client TLS 1.3: %s", tls13).isTrue();
        assertCanonical(tls13.raw(), pki);
        StapleVerdict tls12 = StapleChecker.check("127.0.0.1", server.port(), "TLSv1.2", pki);
        assertThat(tls12.validStaple()).as("JDK client TLS 1.2: %s", tls12).isTrue();

        Path root = pki.dir().resolve("root.pem");
        String openssl = OpenSslClient.status(server.port(), "-tls1_3", root);
        assertThat(openssl)
            .contains("OCSP Response Status: successful")
            .contains("Cert Status: good")
            .contains("Verify return code: 0 (ok)");
        String gnutls = gnutls(server.port(), root);
        assertThat(gnutls)
            .contains("OCSP Response Information:")
            .contains("Certificate Status: good")
            .contains("Status: The certificate is trusted.")
            .contains("Handshake was completed");

        // newer responses whose signed part an attacker re-encoded, or that answer twice: refused,
        // the held good staple stays
        List<Supplier<byte[]>> mutations =
            List.of(
                () ->
                    Asn1Mutator.mutate(
                        factory
                            .forCertificate(pki.server())
                            .thisUpdate(Instant.now())
                            .validity(validity)
                            .build(),
                        Form.INDEFINITE,
                        Form.INDEFINITE),
                () -> uncheck(() -> goodAndRevoked(pki, Instant.now())));
        for (Supplier<byte[]> mutated : mutations) {
          responder.body = mutated;
          responder.awaitRequests(responder.requests.get() + 2, Duration.ofSeconds(15));
          byte[] held = StapleChecker.check("127.0.0.1", server.port(), "TLSv1.3", pki).raw();
          assertThat(responder.awaitRequests(responder.requests.get() + 3, Duration.ofSeconds(15)))
              .isTrue();
          StapleVerdict after = StapleChecker.check("127.0.0.1", server.port(), "TLSv1.3", pki);
          assertThat(after.validStaple()).as("%s", after).isTrue();
          assertThat(after.raw()).as("the held good staple is not replaced").isEqualTo(held);
          assertCanonical(after.raw(), pki);
        }
        assertThat(server.output())
            .contains("tbsResponseData is not DER")
            .contains("2 SingleResponses for serial");
      }
    }
  }

  interface Build {
    byte[] get() throws Exception;
  }

  static byte[] uncheck(Build b) {
    try {
      return b.get();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** DER as StapleKeeper re-encodes it: canonical, small, only the delegated signer included. */
  static void assertCanonical(byte[] raw, TestPki pki) throws Exception {
    assertThat(raw.length).isLessThan(16384);
    assertThat(ASN1Primitive.fromByteArray(raw).getEncoded(ASN1Encoding.DER)).isEqualTo(raw);
    BasicOCSPResp basic = (BasicOCSPResp) new OCSPResp(raw).getResponseObject();
    assertThat(basic.getCerts()).hasSize(1);
    assertThat(basic.getCerts()[0].getEncoded()).isEqualTo(pki.ocspSigner().getEncoded());
  }

  /**
   * The valid response re-framed in BER with ~40 KB of extra, one junk and one JDK-unparseable
   * cert.
   */
  static byte[] reframed(TestPki pki, OcspResponseFactory factory, Instant now, Duration validity)
      throws Exception {
    BasicOCSPResp basic =
        factory.forCertificate(pki.server()).thisUpdate(now).validity(validity).buildBasic();
    List<ASN1Encodable> certs = new ArrayList<>();
    certs.add(new DEROctetString("junk".getBytes(StandardCharsets.US_ASCII)));
    certs.add(HostileResponses.signerWithMalformedKeyUsage(pki, now));
    Certificate signer = Certificate.getInstance(pki.ocspSigner().getEncoded());
    int extra = 0;
    while (true) {
      X509Certificate cert = extra++ % 2 == 0 ? pki.root() : pki.intermediate();
      certs.add(Certificate.getInstance(cert.getEncoded()));
      List<ASN1Encodable> all = new ArrayList<>(certs);
      all.add(signer);
      byte[] der = HostileResponses.withCerts(basic, all);
      if (der.length > 40_000) { // over 32 KiB, under the 64 KiB maxResponseBytes
        return Asn1Mutator.mutate(der, Form.INDEFINITE, Form.DER);
      }
    }
  }

  static byte[] goodAndRevoked(TestPki pki, Instant at) throws Exception {
    var id = OcspResponseFactory.certId(pki.intermediate(), pki.server().getSerialNumber());
    Date next = Date.from(at.plusSeconds(120));
    return HostileResponses.signedBy(
        pki,
        at,
        b -> {
          b.addResponse(id, CertificateStatus.GOOD, Date.from(at), next);
          b.addResponse(
              id, new RevokedStatus(Date.from(at.minusSeconds(60)), 1), Date.from(at), next);
        });
  }

  /** {@code gnutls-cli --ocsp}: verifies the stapled response as part of the certificate check. */
  static String gnutls(int port, Path rootPem) throws IOException, InterruptedException {
    Path saved = Files.createTempFile("staplekeeper-gnutls", ".der");
    try {
      Process p =
          new ProcessBuilder(
                  "gnutls-cli",
                  "-V",
                  "--x509cafile=" + rootPem,
                  "--sni-hostname=localhost",
                  "--verify-hostname=localhost",
                  "--ocsp",
                  "--save-ocsp=" + saved,
                  "--port=" + port,
                  "127.0.0.1")
              .redirectErrorStream(true)
              .start();
      p.getOutputStream().close();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("gnutls-cli did not finish");
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(Files.size(saved)).as("gnutls-cli saved a stapled response: %s", out).isPositive();
      return out;
    } finally {
      Files.deleteIfExists(saved);
    }
  }
}
