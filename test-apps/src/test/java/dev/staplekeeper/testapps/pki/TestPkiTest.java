package dev.staplekeeper.testapps.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestPkiTest {
  private static final URI OCSP = URI.create("http://127.0.0.1:18080/ocsp");
  private static final String OCSP_SIGNING = "1.3.6.1.5.5.7.3.9";
  private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";

  @TempDir static Path dir;
  static TestPki pki;

  @BeforeAll
  static void createPki() throws IOException {
    pki = TestPki.create(dir, OCSP, true);
  }

  @Test
  void serverChainValidatesToTheRoot() throws Exception {
    validate(pki.root(), pki.server(), pki.intermediate());
    assertThat(pki.serverChain()).containsExactly(pki.server(), pki.intermediate());
  }

  @Test
  void delegatedSignersAreIssuedByTheIntermediate() throws Exception {
    validate(pki.root(), pki.ocspSigner(), pki.intermediate());
    validate(pki.root(), pki.ocspSignerWithoutEku(), pki.intermediate());
    assertThat(pki.ocspSigner().getExtendedKeyUsage()).containsExactly(OCSP_SIGNING);
    assertThat(pki.ocspSigner().getExtensionValue(TestPki.OCSP_NOCHECK.getId())).isNotNull();
    assertThat(pki.ocspSignerWithoutEku().getExtendedKeyUsage()).isNull();
  }

  @Test
  void rogueDoesNotChainToTheRoot() {
    assertThatThrownBy(() -> validate(pki.root(), pki.rogue()))
        .isInstanceOf(CertPathValidatorException.class);
    assertThat(pki.rogue().getSubjectX500Principal())
        .isNotEqualTo(pki.intermediate().getSubjectX500Principal());
  }

  @Test
  void serverCertificateHasTlsServerExtensions() throws Exception {
    X509Certificate server = pki.server();
    assertThat(server.getSubjectX500Principal().getName()).isEqualTo("CN=localhost");
    assertThat(server.getExtendedKeyUsage()).containsExactly(SERVER_AUTH);
    assertThat(server.getSubjectAlternativeNames())
        .containsExactlyInAnyOrder(List.of(2, "localhost"), List.of(7, "127.0.0.1"));
    assertThat(pki.ocspUrl()).isEqualTo(OCSP);
    assertThat(pki.mustStaple()).isTrue();
    // TLS Feature: OCTET STRING { SEQUENCE { INTEGER 5 } }
    assertThat(server.getExtensionValue(TestPki.TLS_FEATURE.getId()))
        .containsExactly(0x04, 0x05, 0x30, 0x03, 0x02, 0x01, 0x05);
    assertThat(server.getPublicKey().getAlgorithm()).isEqualTo("EC");
    long days = (server.getNotAfter().getTime() - System.currentTimeMillis()) / 86_400_000L;
    assertThat(days).isBetween(29L, 30L);
    assertThat(server.getNotBefore().getTime()).isLessThan(System.currentTimeMillis() - 3_000_000);
  }

  @Test
  void loadReadsBackTheSamePki() throws Exception {
    TestPki loaded = TestPki.load(dir);
    assertThat(loaded.root()).isEqualTo(pki.root());
    assertThat(loaded.intermediate()).isEqualTo(pki.intermediate());
    assertThat(loaded.server()).isEqualTo(pki.server());
    assertThat(loaded.serverChain()).containsExactly(pki.serverChain());
    assertThat(loaded.ocspSigner()).isEqualTo(pki.ocspSigner());
    assertThat(loaded.ocspSignerWithoutEku()).isEqualTo(pki.ocspSignerWithoutEku());
    assertThat(loaded.rogue()).isEqualTo(pki.rogue());
    assertThat(loaded.intermediateKey().getEncoded()).isEqualTo(pki.intermediateKey().getEncoded());
    assertThat(loaded.ocspSignerKey().getEncoded()).isEqualTo(pki.ocspSignerKey().getEncoded());
    assertThat(loaded.rogueKey().getEncoded()).isEqualTo(pki.rogueKey().getEncoded());
    assertThat(loaded.serverKey().getEncoded()).isEqualTo(pki.serverKey().getEncoded());
  }

  @Test
  void loadOfAnEmptyDirectoryFails(@TempDir Path empty) {
    assertThat(TestPki.exists(empty)).isFalse();
    assertThatThrownBy(() -> TestPki.load(empty)).hasMessageContaining("no test PKI");
  }

  @Test
  void writesPemFilesAndServerKeystore() throws Exception {
    assertThat(Pem.readCertificate(dir.resolve("root.pem"))).isEqualTo(pki.root());
    assertThat(Pem.readCertificate(dir.resolve("server.pem"))).isEqualTo(pki.server());
    assertThat(Pem.readCertificates(dir.resolve("chain.pem")))
        .containsExactly(pki.server(), pki.intermediate());
    assertThat(Files.readString(dir.resolve("server-key.pem")))
        .startsWith("-----BEGIN PRIVATE KEY-----\n");

    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (var in = Files.newInputStream(pki.keystore())) {
      ks.load(in, TestPki.PASSWORD.toCharArray());
    }
    assertThat(ks.aliases().nextElement()).isEqualTo("server");
    assertThat(ks.getCertificateChain("server")).containsExactly(pki.serverChain());
    KeyStore ts = KeyStore.getInstance("PKCS12");
    try (var in = Files.newInputStream(pki.truststore())) {
      ts.load(in, TestPki.PASSWORD.toCharArray());
    }
    assertThat(ts.getCertificate("root")).isEqualTo(pki.root());
  }

  @Test
  void opensslAcceptsThePemFiles() throws Exception {
    assumeTrue(onPath("openssl"), "openssl not installed");
    Process p =
        new ProcessBuilder(
                "openssl",
                "verify",
                "-CAfile",
                dir.resolve("root.pem").toString(),
                "-untrusted",
                dir.resolve("intermediate.pem").toString(),
                "-purpose",
                "sslserver",
                dir.resolve("server.pem").toString())
            .redirectErrorStream(true)
            .start();
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(out).contains("server.pem: OK");
    assertThat(p.exitValue()).isZero();
    Process k =
        new ProcessBuilder("openssl", "pkey", "-in", dir.resolve("server-key.pem").toString())
            .redirectErrorStream(true)
            .start();
    k.getInputStream().readAllBytes();
    assertThat(k.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(k.exitValue()).isZero();
  }

  @Test
  void issueLeafMakesANewCertificateFromTheIntermediate() throws Exception {
    URI other = URI.create("http://127.0.0.1:9/other");
    IssuedCert leaf = pki.issueLeaf("example.test", other);
    validate(pki.root(), leaf.cert(), pki.intermediate());
    assertThat(leaf.cert().getSerialNumber()).isNotEqualTo(pki.server().getSerialNumber());
    assertThat(leaf.chain()).containsExactly(leaf.cert(), pki.intermediate());
    assertThat(Certificates.ocspUrl(leaf.cert())).isEqualTo(other);
    assertThat(leaf.cert().getExtensionValue(TestPki.TLS_FEATURE.getId())).isNull();

    IssuedCert rsa = pki.issueLeaf("localhost", other, KeyType.RSA_2048, true);
    validate(pki.root(), rsa.cert(), pki.intermediate());
    assertThat(rsa.cert().getPublicKey().getAlgorithm()).isEqualTo("RSA");
    assertThat(rsa.cert().getExtensionValue(TestPki.TLS_FEATURE.getId())).isNotNull();
  }

  static void validate(X509Certificate root, X509Certificate... path) throws Exception {
    CertificateFactory cf = CertificateFactory.getInstance("X.509");
    PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
    params.setRevocationEnabled(false);
    CertPathValidator.getInstance("PKIX").validate(cf.generateCertPath(List.of(path)), params);
  }

  static boolean onPath(String command) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(d, command))) {
        return true;
      }
    }
    return false;
  }
}
