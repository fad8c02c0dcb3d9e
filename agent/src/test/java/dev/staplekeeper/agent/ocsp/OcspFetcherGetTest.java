package dev.staplekeeper.agent.ocsp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.staplekeeper.agent.testproc.Daemon;
import dev.staplekeeper.agent.testproc.Nginx;
import dev.staplekeeper.testapps.pki.KeyType;
import dev.staplekeeper.testapps.pki.Pem;
import dev.staplekeeper.testapps.pki.TestPki;
import dev.staplekeeper.testapps.responder.OcspResponder;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Random;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RFC 5019 GET by default, against real responders: the bundled one behind a real nginx whose
 * access log shows the method and the raw request URI, and {@code openssl ocsp}, whose own output
 * shows the request line. The certificate's serial is chosen so that the base64 request contains
 * {@code /}, {@code +} and {@code =}, which must travel percent-encoded.
 */
class OcspFetcherGetTest {
  @TempDir static Path dir;
  static OcspResponder bundled;
  static TestPki pki;
  static X509Certificate leaf;
  static CertId id;
  static Daemon openssl;
  static Nginx nginx;
  static int toBundled;
  static URI opensslUri;

  private final OcspFetcher fetcher =
      new OcspFetcher(Duration.ofSeconds(2), Duration.ofSeconds(5), 64 * 1024);
  private final ResponseValidator validator = new ResponseValidator(Duration.ofMinutes(5));

  @BeforeAll
  static void start() throws Exception {
    bundled = OcspResponder.bind(0);
    pki = TestPki.create(dir, bundled.url(), false);
    bundled.start(pki, Duration.ofMinutes(10));
    leaf = leafWithAwkwardBase64();
    id = CertId.of(leaf, pki.intermediate());

    int opensslPort = Daemon.freePort();
    Path o = dir.resolve("openssl");
    Files.createDirectories(o);
    Files.writeString(
        o.resolve("index.txt"),
        "V\t491231235959Z\t\t"
            + leaf.getSerialNumber().toString(16).toUpperCase(java.util.Locale.ROOT)
            + "\tunknown\t/CN=get.example.test\n");
    Files.writeString(o.resolve("ca.pem"), Pem.certificate(pki.intermediate()));
    Files.writeString(o.resolve("signer.pem"), Pem.certificate(pki.ocspSigner()));
    Files.writeString(o.resolve("signer.key"), Pem.privateKey(pki.ocspSignerKey()));
    openssl =
        Daemon.start(
            "openssl-ocsp",
            o,
            List.of(
                "openssl",
                "ocsp",
                "-index",
                "index.txt",
                "-port",
                String.valueOf(opensslPort),
                "-rsigner",
                "signer.pem",
                "-rkey",
                "signer.key",
                "-CA",
                "ca.pem",
                "-nmin",
                "10",
                "-ignore_err"),
            opensslPort,
            "ACCEPT");
    opensslUri = URI.create("http://127.0.0.1:" + opensslPort);

    toBundled = Daemon.freePort();
    nginx =
        Nginx.start(
            dir.resolve("nginx"),
            toBundled,
            "server { listen 127.0.0.1:"
                + toBundled
                + "; location / { proxy_pass http://127.0.0.1:"
                + bundled.url().getPort()
                + "; } }\n");
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable c : new AutoCloseable[] {nginx, openssl, bundled}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception ignored) {
        // best effort
      }
    }
  }

  /** A leaf of the test intermediate whose serial makes the base64 request need percent-escapes. */
  static X509Certificate leafWithAwkwardBase64() throws Exception {
    KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
    gen.initialize(256);
    KeyPair keys = gen.generateKeyPair();
    CertificateID template = BcCertIds.of(CertId.of(pki.server(), pki.intermediate()));
    Random random = new Random(5019);
    while (true) {
      BigInteger serial = new BigInteger(120 + random.nextInt(8), random).setBit(100);
      byte[] request =
          new OCSPReqBuilder()
              .addRequest(CertificateID.deriveCertificateID(template, serial))
              .build()
              .getEncoded();
      String encoded = OcspFetcher.getUri(URI.create("http://h"), request).getRawPath();
      if (encoded.contains("%2F") && encoded.contains("%2B") && encoded.contains("%3D")) {
        return issue(serial, keys);
      }
    }
  }

  private static X509Certificate issue(BigInteger serial, KeyPair keys) throws Exception {
    Instant now = Instant.now();
    var builder =
        new JcaX509v3CertificateBuilder(
            pki.intermediate(),
            serial,
            Date.from(now.minusSeconds(3600)),
            Date.from(now.plus(Duration.ofDays(30))),
            new X500Name("CN=get.example.test"),
            keys.getPublic());
    var signer =
        new JcaContentSignerBuilder(KeyType.signatureAlgorithmFor(pki.intermediateKey()))
            .build(pki.intermediateKey());
    return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
  }

  private ValidatedResponse fetchAndValidate(OcspFetcher f, URI uri) throws Exception {
    byte[] der = f.fetch(uri, id);
    return validator.validate(der, id, pki.intermediate(), Instant.now());
  }

  /** The request URI of nginx's last access log line. */
  private static String lastUri(String log) {
    return lastLine(log).split(" ")[1];
  }

  private static String lastLine(String log) {
    String[] lines = log.strip().split("\n");
    return lines[lines.length - 1];
  }

  @Test
  void theBundledResponderAnswersTheDefaultGetWithPercentEncodedBase64() throws Exception {
    URI uri = URI.create("http://127.0.0.1:" + toBundled + "/ocsp");

    assertThat(fetchAndValidate(fetcher, uri).status()).isEqualTo(ValidatedResponse.Status.GOOD);

    assertThat(lastLine(nginx.accessLog())).startsWith("GET /ocsp/").contains(" 200 ");
    String encoded = lastUri(nginx.accessLog()).substring("/ocsp/".length());
    assertThat(encoded).contains("%2F", "%2B", "%3D").doesNotContain("/", "+", "=");
  }

  @Test
  void opensslOcspAnswersTheDefaultGetWithPercentEncodedBase64() throws Exception {
    ValidatedResponse response = fetchAndValidate(fetcher, opensslUri);

    assertThat(response.status()).isEqualTo(ValidatedResponse.Status.GOOD);
    // openssl's own log: "ocsp: Received request, 1st line: GET /<encoded> HTTP/1.1"
    String line = lastLine(openssl.output());
    assertThat(line).contains("1st line: GET /").contains("%2F", "%2B", "%3D");
  }

  @Test
  void httpMethodPostStillPostsToBoth() throws Exception {
    OcspFetcher post = fetcher.withPostOnly(true);

    assertThat(
            fetchAndValidate(post, URI.create("http://127.0.0.1:" + toBundled + "/ocsp")).status())
        .isEqualTo(ValidatedResponse.Status.GOOD);
    assertThat(lastLine(nginx.accessLog())).startsWith("POST /ocsp 200");
    assertThat(fetchAndValidate(post, opensslUri).status())
        .isEqualTo(ValidatedResponse.Status.GOOD);
    assertThat(lastLine(openssl.output())).contains("1st line: POST / ");
  }
}
