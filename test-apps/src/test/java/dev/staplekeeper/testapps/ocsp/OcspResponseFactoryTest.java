package dev.staplekeeper.testapps.ocsp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.staplekeeper.testapps.ocsp.OcspResponseFactory.Signer;
import dev.staplekeeper.testapps.pki.TestPki;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPException;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RespID;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.bouncycastle.operator.DigestCalculator;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OcspResponseFactoryTest {
  private static final Instant NOW = Instant.parse("2026-11-20T10:00:00Z");

  @TempDir static Path dir;
  static TestPki pki;
  static OcspResponseFactory factory;

  @BeforeAll
  static void createPki() throws IOException {
    pki = TestPki.create(dir, URI.create("http://127.0.0.1:1/ocsp"), false);
    factory = new OcspResponseFactory(pki, Clock.fixed(NOW, ZoneOffset.UTC));
  }

  @Test
  void goodResponseFromDelegatedSignerVerifies() throws Exception {
    BasicOCSPResp basic = parse(factory.forCertificate(pki.server()).build());

    SingleResp single = basic.getResponses()[0];
    assertThat(basic.getResponses()).hasSize(1);
    assertThat(single.getCertID()).isEqualTo(factory.certId(pki.server()));
    assertThat(single.getCertID().getSerialNumber()).isEqualTo(pki.server().getSerialNumber());
    assertThat(single.getCertStatus()).isEqualTo(CertificateStatus.GOOD);
    assertThat(single.getThisUpdate()).isEqualTo(Date.from(NOW));
    assertThat(single.getNextUpdate()).isEqualTo(Date.from(NOW.plus(Duration.ofHours(1))));
    assertThat(basic.getProducedAt()).isEqualTo(Date.from(NOW));
    assertThat(basic.getCerts()).hasSize(1);
    assertThat(basic.getCerts()[0].getEncoded()).isEqualTo(pki.ocspSigner().getEncoded());
    assertThat(basic.getResponderId()).isEqualTo(keyHash(pki.ocspSigner()));
    assertThat(verifies(basic, pki.ocspSigner())).isTrue();
    assertThat(verifies(basic, pki.intermediate())).isFalse();
    // the included signer certificate is itself issued by the intermediate
    pki.ocspSigner().verify(pki.intermediate().getPublicKey());
  }

  @Test
  void issuerSignedResponseCarriesNoCertificates() throws Exception {
    BasicOCSPResp basic = parse(factory.forCertificate(pki.server()).signer(Signer.ISSUER).build());
    assertThat(basic.getCerts()).isEmpty();
    assertThat(basic.getResponderId()).isEqualTo(keyHash(pki.intermediate()));
    assertThat(verifies(basic, pki.intermediate())).isTrue();
    assertThat(verifies(basic, pki.ocspSigner())).isFalse();
  }

  @Test
  void revokedResponseCarriesTimeAndReason() throws Exception {
    Instant when = NOW.minus(Duration.ofDays(1));
    SingleResp single =
        parse(factory.forCertificate(pki.server()).revoked(when, 1).build()).getResponses()[0];
    assertThat(single.getCertStatus()).isInstanceOf(RevokedStatus.class);
    RevokedStatus revoked = (RevokedStatus) single.getCertStatus();
    assertThat(revoked.getRevocationTime()).isEqualTo(Date.from(when));
    assertThat(revoked.hasRevocationReason()).isTrue();
    assertThat(revoked.getRevocationReason()).isEqualTo(1);

    RevokedStatus noReason =
        (RevokedStatus)
            parse(factory.forCertificate(pki.server()).revoked(when, null).build())
                .getResponses()[0]
                .getCertStatus();
    assertThat(noReason.hasRevocationReason()).isFalse();
  }

  @Test
  void unknownResponse() throws Exception {
    SingleResp single =
        parse(factory.forCertificate(pki.server()).unknown().build()).getResponses()[0];
    assertThat(single.getCertStatus()).isInstanceOf(UnknownStatus.class);
  }

  @Test
  void explicitTimesAndAbsentNextUpdate() throws Exception {
    Instant tu = NOW.plus(Duration.ofHours(3));
    BasicOCSPResp basic =
        parse(
            factory
                .forCertificate(pki.server())
                .thisUpdate(tu)
                .nextUpdate(null)
                .producedAt(NOW.minusSeconds(5))
                .build());
    assertThat(basic.getResponses()[0].getThisUpdate()).isEqualTo(Date.from(tu));
    assertThat(basic.getResponses()[0].getNextUpdate()).isNull();
    assertThat(basic.getProducedAt()).isEqualTo(Date.from(NOW.minusSeconds(5)));

    SingleResp shortLived =
        parse(factory.forCertificate(pki.server()).validity(Duration.ofMinutes(2)).build())
            .getResponses()[0];
    assertThat(shortLived.getNextUpdate()).isEqualTo(Date.from(NOW.plusSeconds(120)));
  }

  @Test
  void rogueResponseVerifiesOnlyAgainstTheRogueKey() throws Exception {
    BasicOCSPResp basic = parse(factory.forCertificate(pki.server()).signer(Signer.ROGUE).build());
    assertThat(basic.getCerts()[0].getEncoded()).isEqualTo(pki.rogue().getEncoded());
    assertThat(verifies(basic, pki.rogue())).isTrue();
    assertThat(verifies(basic, pki.intermediate())).isFalse();
    assertThat(verifies(basic, pki.ocspSigner())).isFalse();
  }

  @Test
  void delegatedWithoutEkuIsSignedByTheSignerThatLacksTheEku() throws Exception {
    BasicOCSPResp basic =
        parse(factory.forCertificate(pki.server()).signer(Signer.DELEGATED_NO_EKU).build());
    X509Certificate included = pki.ocspSignerWithoutEku();
    assertThat(basic.getCerts()[0].getEncoded()).isEqualTo(included.getEncoded());
    assertThat(verifies(basic, included)).isTrue();
    assertThat(included.getExtendedKeyUsage()).isNull();
  }

  @Test
  void serialOverrideGivesAWrongCertId() throws Exception {
    BigInteger other = pki.server().getSerialNumber().add(BigInteger.ONE);
    CertificateID id =
        parse(factory.forCertificate(pki.server()).serial(other).build())
            .getResponses()[0]
            .getCertID();
    assertThat(id).isNotEqualTo(factory.certId(pki.server()));
    assertThat(id.getSerialNumber()).isEqualTo(other);
    assertThat(id.getIssuerKeyHash()).isEqualTo(factory.certId(pki.server()).getIssuerKeyHash());
  }

  @Test
  void answersForTheCertIdOfTheRequestWhateverItsHash() throws Exception {
    DigestCalculator sha256 =
        new JcaDigestCalculatorProviderBuilder()
            .build()
            .get(new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha256));
    CertificateID requested =
        new CertificateID(
            sha256,
            new X509CertificateHolder(pki.intermediate().getEncoded()),
            pki.server().getSerialNumber());
    assertThat(factory.issuedByIntermediate(requested)).isTrue();
    assertThat(
            factory.issuedByIntermediate(OcspResponseFactory.certId(pki.rogue(), BigInteger.TEN)))
        .isFalse();
    CertificateID answered =
        parse(factory.forCertId(requested).build()).getResponses()[0].getCertID();
    assertThat(answered).isEqualTo(requested);
    assertThat(answered.getHashAlgOID()).isEqualTo(NISTObjectIdentifiers.id_sha256);
  }

  @Test
  void echoesANonce() throws Exception {
    byte[] nonce = {1, 2, 3, 4, 5, 6, 7, 8};
    BasicOCSPResp basic = parse(factory.forCertificate(pki.server()).nonce(nonce).build());
    byte[] value =
        basic.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce).getExtnValue().getOctets();
    assertThat(value).isEqualTo(new byte[] {4, 8, 1, 2, 3, 4, 5, 6, 7, 8});
  }

  @Test
  void respondsByName() throws Exception {
    BasicOCSPResp basic = parse(factory.forCertificate(pki.server()).responderIdByName().build());
    assertThat(basic.getResponderId().toASN1Primitive().getName()).isNotNull();
    assertThat(basic.getResponderId()).isNotEqualTo(keyHash(pki.ocspSigner()));
  }

  @Test
  void tamperedSignatureDoesNotVerify() throws Exception {
    BasicOCSPResp basic = parse(factory.forCertificate(pki.server()).tamperSignature().build());
    assertThat(basic.getResponses()[0].getCertStatus()).isEqualTo(CertificateStatus.GOOD);
    assertThat(verifies(basic, pki.ocspSigner())).isFalse();
  }

  @Test
  void paddedResponseIsBigButValid() throws Exception {
    byte[] der = factory.forCertificate(pki.server()).padding(2 * 1024 * 1024).build();
    assertThat(der.length).isGreaterThan(2 * 1024 * 1024);
    BasicOCSPResp basic = parse(der);
    assertThat(verifies(basic, pki.ocspSigner())).isTrue();
    assertThat(basic.getExtension(OcspResponseFactory.PADDING_EXTENSION)).isNotNull();
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 5, 6})
  void errorResponsesHaveOnlyAStatus(int status) throws Exception {
    byte[] der = OcspResponseFactory.errorResponse(status);
    OCSPResp resp = new OCSPResp(der);
    assertThat(resp.getStatus()).isEqualTo(status);
    assertThat(resp.getResponseObject()).isNull();
    assertThat(der).containsExactly(0x30, 0x03, 0x0a, 0x01, status);
  }

  @Test
  void successIsNotAnErrorStatus() {
    assertThatThrownBy(() -> OcspResponseFactory.errorResponse(0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void opensslVerifiesGoodResponsesAndRejectsForgedOnes() throws Exception {
    assumeTrue(onPath("openssl"), "openssl not installed");
    OcspResponseFactory now = new OcspResponseFactory(pki);
    assertThat(openssl(now.forCertificate(pki.server()).build()))
        .contains("Response verify OK", "server.pem: good");
    assertThat(
            openssl(now.forCertificate(pki.server()).signer(Signer.ISSUER).revoked(NOW, 1).build()))
        .contains("Response verify OK", "server.pem: revoked");
    assertThat(openssl(now.forCertificate(pki.server()).signer(Signer.ROGUE).build()))
        .doesNotContain("Response verify OK");
    assertThat(openssl(now.forCertificate(pki.server()).signer(Signer.DELEGATED_NO_EKU).build()))
        .doesNotContain("Response verify OK");
  }

  private static String openssl(byte[] response) throws Exception {
    Path file = Files.createTempFile(dir, "resp", ".der");
    Files.write(file, response);
    Process p =
        new ProcessBuilder(
                "openssl",
                "ocsp",
                "-respin",
                file.toString(),
                "-issuer",
                dir.resolve("intermediate.pem").toString(),
                "-cert",
                dir.resolve("server.pem").toString(),
                "-CAfile",
                dir.resolve("root.pem").toString(),
                "-verify_other",
                dir.resolve("intermediate.pem").toString())
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    return out;
  }

  static BasicOCSPResp parse(byte[] der) throws Exception {
    OCSPResp resp = new OCSPResp(der);
    assertThat(resp.getStatus()).isZero();
    return (BasicOCSPResp) resp.getResponseObject();
  }

  static boolean verifies(BasicOCSPResp basic, X509Certificate signer) throws Exception {
    try {
      return basic.isSignatureValid(new JcaContentVerifierProviderBuilder().build(signer));
    } catch (OCSPException e) {
      // a tampered ECDSA signature may not even decode ("Invalid encoding for signature")
      return false;
    }
  }

  static RespID keyHash(X509Certificate cert) throws Exception {
    return new RespID(
        SubjectPublicKeyInfo.getInstance(cert.getPublicKey().getEncoded()),
        new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1));
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
