package dev.staplekeeper.agent.ocsp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.staplekeeper.agent.ocsp.Asn1Mutator.Form;
import dev.staplekeeper.testapps.ocsp.OcspResponseFactory;
import dev.staplekeeper.testapps.ocsp.OcspResponseFactory.Signer;
import dev.staplekeeper.testapps.pki.TestPki;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Path;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.ocsp.BasicOCSPResponse;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 9 point 1: variants an on-path attacker (or a careless responder) can produce from a valid
 * response. Only canonical DER whose signature verifies over exactly the stapled tbsResponseData,
 * with at most the signer certificate, parseable by the JDK, under the size cap, is accepted.
 */
class HostileResponseTest {
  private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);

  @TempDir static Path dir;
  static TestPki pki;
  static OcspResponseFactory responses;
  static CertId serverId;

  private final ResponseValidator validator = new ResponseValidator(Duration.ofMinutes(5));

  @BeforeAll
  static void createPki() throws Exception {
    pki = TestPki.create(dir.resolve("pki"), URI.create("http://127.0.0.1:1/ocsp"), false);
    responses = new OcspResponseFactory(pki, Clock.fixed(NOW, ZoneOffset.UTC));
    serverId = CertId.of(pki.server(), pki.intermediate());
  }

  private ValidatedResponse validate(byte[] der) throws InvalidResponseException {
    return validator.validate(der, serverId, pki.intermediate(), NOW);
  }

  private String rejection(byte[] der) {
    Throwable thrown = catchThrowable(() -> validate(der));
    assertThat(thrown).isInstanceOf(InvalidResponseException.class);
    return thrown.getMessage();
  }

  // --- encoding ---

  @Test
  void aValidDerResponseIsStapledByteForByte() throws Exception {
    for (Signer signer : List.of(Signer.DELEGATED, Signer.ISSUER)) {
      byte[] der =
          responses.forCertificate(pki.server()).signer(signer).nonce(new byte[16]).build();
      assertThat(validate(der).der()).as("%s", signer).isEqualTo(der);
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = Form.class,
      names = {"INDEFINITE", "LONG_LENGTHS"})
  void berInTheUnsignedFramingIsReEncodedToDer(Form form) throws Exception {
    byte[] der = responses.forCertificate(pki.server()).build();
    byte[] mutated = Asn1Mutator.mutate(der, form, Form.DER);
    assertThat(mutated).isNotEqualTo(der);

    byte[] stapled = validate(mutated).der();

    assertThat(stapled).isEqualTo(der);
    assertSignatureVerifiesOverStapledTbs(stapled);
  }

  @ParameterizedTest
  @EnumSource(
      value = Form.class,
      names = {"INDEFINITE", "LONG_LENGTHS"})
  void berInsideTbsResponseDataIsRejectedThoughBouncyCastleVerifiesIt(Form form) throws Exception {
    byte[] der = responses.forCertificate(pki.server()).build();
    byte[] mutated = Asn1Mutator.mutate(der, form, form);
    // Bouncy Castle re-encodes before verifying: by its measure the signature is still fine
    BasicOCSPResp bc = (BasicOCSPResp) new OCSPResp(mutated).getResponseObject();
    assertThat(
            bc.isSignatureValid(
                new JcaContentVerifierProviderBuilder().build(pki.ocspSigner().getPublicKey())))
        .isTrue();

    assertThat(rejection(mutated))
        .contains("tbsResponseData is not DER")
        .contains("strict-DER clients");
  }

  // --- certs ---

  @Test
  void eightyExtraCertificatesAreDroppedAndOnlyTheSignerIsStapled() throws Exception {
    BasicOCSPResp basic = responses.forCertificate(pki.server()).buildBasic();
    List<ASN1Encodable> certs = new ArrayList<>();
    for (int i = 0; i < 80; i++) {
      X509Certificate extra =
          i % 3 == 0 ? pki.root() : i % 3 == 1 ? pki.intermediate() : pki.rogue();
      certs.add(Certificate.getInstance(extra.getEncoded()));
    }
    certs.add(Certificate.getInstance(pki.ocspSigner().getEncoded()));
    byte[] der = HostileResponses.withCerts(basic, certs);
    assertThat(der.length).isGreaterThan(40_000);

    byte[] stapled = validate(der).der();

    assertThat(stapled.length).isLessThan(ResponseValidator.DEFAULT_MAX_STAPLE_BYTES);
    assertThat(stapledCerts(stapled)).containsExactly(pki.ocspSigner());
    assertSignatureVerifiesOverStapledTbs(stapled);
  }

  @Test
  void anIssuerSignedResponseIsStapledWithoutCertificates() throws Exception {
    BasicOCSPResp basic = responses.forCertificate(pki.server()).signer(Signer.ISSUER).buildBasic();
    byte[] der =
        HostileResponses.withCerts(
            basic,
            List.of(
                Certificate.getInstance(pki.intermediate().getEncoded()),
                Certificate.getInstance(pki.root().getEncoded())));

    assertThat(stapledCerts(validate(der).der())).isEmpty();
  }

  @Test
  void aJunkCertsEntryIsDropped() throws Exception {
    BasicOCSPResp basic = responses.forCertificate(pki.server()).buildBasic();
    byte[] der =
        HostileResponses.withCerts(
            basic,
            List.of(
                new DEROctetString(new byte[] {1, 2, 3}),
                new DERSequence(new ASN1Integer(7)),
                Certificate.getInstance(pki.ocspSigner().getEncoded())));

    assertThat(stapledCerts(validate(der).der())).containsExactly(pki.ocspSigner());
  }

  @Test
  void aCertificateWithAMalformedExtensionIsDropped() throws Exception {
    Certificate malformed = HostileResponses.signerWithMalformedKeyUsage(pki, NOW);
    assertThat(catchThrowable(() -> jdkParse(malformed.getEncoded())))
        .as("the JDK refuses the certificate Bouncy Castle accepts")
        .isInstanceOf(CertificateException.class);
    BasicOCSPResp basic = responses.forCertificate(pki.server()).buildBasic();

    byte[] both =
        HostileResponses.withCerts(
            basic, List.of(malformed, Certificate.getInstance(pki.ocspSigner().getEncoded())));
    assertThat(stapledCerts(validate(both).der())).containsExactly(pki.ocspSigner());

    assertThat(rejection(HostileResponses.withCerts(basic, List.of(malformed))))
        .contains("signed by an unauthorized cert")
        .contains("CertificateFactory cannot parse it")
        .contains("bad_certificate_status_response");
  }

  // --- SingleResponses ---

  @Test
  void goodAndRevokedForTheSameCertIdIsRejected() throws Exception {
    CertificateID id = BcCertIds.of(serverId);
    byte[] der =
        HostileResponses.signedBy(
            pki,
            NOW,
            b -> {
              b.addResponse(id, CertificateStatus.GOOD, date(NOW), date(NOW.plusSeconds(3600)));
              b.addResponse(
                  id,
                  new RevokedStatus(date(NOW.minusSeconds(60)), 1),
                  date(NOW),
                  date(NOW.plusSeconds(3600)));
            });

    assertThat(rejection(der))
        .contains("2 SingleResponses for serial " + serverId.serial().toString(16))
        .contains("good, revoked")
        .contains("never stapled");
  }

  @Test
  void aDuplicateGoodForTheSameCertIdIsRejected() throws Exception {
    CertificateID id = BcCertIds.of(serverId);
    byte[] der =
        HostileResponses.signedBy(
            pki,
            NOW,
            b -> {
              b.addResponse(id, CertificateStatus.GOOD, date(NOW), date(NOW.plusSeconds(3600)));
              b.addResponse(id, CertificateStatus.GOOD, date(NOW), date(NOW.plusSeconds(60)));
            });

    assertThat(rejection(der)).contains("2 SingleResponses").contains("good, good");
  }

  @Test
  void aFewSingleResponsesForOtherCertificatesAreFine() throws Exception {
    byte[] der =
        HostileResponses.signedBy(
            pki,
            NOW,
            b -> {
              for (int i = 1; i <= 3; i++) {
                b.addResponse(
                    other(i), CertificateStatus.GOOD, date(NOW), date(NOW.plusSeconds(3600)));
              }
              b.addResponse(
                  BcCertIds.of(serverId),
                  CertificateStatus.GOOD,
                  date(NOW),
                  date(NOW.plusSeconds(3600)));
            });

    assertThat(validate(der).status()).isEqualTo(ValidatedResponse.Status.GOOD);
  }

  @Test
  void fiveHundredSingleResponsesAreTooLargeToStaple() throws Exception {
    byte[] der =
        HostileResponses.signedBy(
            pki,
            NOW,
            b -> {
              for (int i = 1; i < 500; i++) {
                b.addResponse(
                    other(i), CertificateStatus.GOOD, date(NOW), date(NOW.plusSeconds(3600)));
              }
              b.addResponse(
                  BcCertIds.of(serverId),
                  CertificateStatus.GOOD,
                  date(NOW),
                  date(NOW.plusSeconds(3600)));
            });
    assertThat(der.length).isGreaterThan(40_000);

    assertThat(rejection(der))
        .contains("too large to staple")
        .contains("over maxStapleBytes (16384)");
  }

  @Test
  void theSizeCapIsSettable() throws Exception {
    byte[] der = responses.forCertificate(pki.server()).padding(500).build();
    assertThat(validate(der).der()).isEqualTo(der);
    ResponseValidator small = new ResponseValidator(Duration.ofMinutes(5), 1024);
    assertThat(der.length).isGreaterThan(1024);

    Throwable thrown = catchThrowable(() -> small.validate(der, serverId, pki.intermediate(), NOW));

    assertThat(thrown)
        .isInstanceOf(InvalidResponseException.class)
        .hasMessageContaining("with only the signer certificate it is " + der.length + " bytes")
        .hasMessageContaining("over maxStapleBytes (1024)");
  }

  // --- helpers ---

  /** Verifies the stapled signature over its tbsResponseData bytes with the JDK alone. */
  private static void assertSignatureVerifiesOverStapledTbs(byte[] stapled) throws Exception {
    BasicOCSPResp basic = (BasicOCSPResp) new OCSPResp(stapled).getResponseObject();
    byte[] basicDer = basic.getEncoded();
    byte[] tbs = StapleEncoding.signedTbs(BasicResponse.read(basicDer));
    BasicOCSPResponse asn1 = BasicOCSPResponse.getInstance(basicDer);
    Signature sig = Signature.getInstance(asn1.getSignatureAlgorithm().getAlgorithm().getId());
    sig.initVerify(pki.ocspSigner().getPublicKey());
    sig.update(tbs);
    assertThat(sig.verify(asn1.getSignature().getOctets())).isTrue();
  }

  private static List<X509Certificate> stapledCerts(byte[] stapled) throws Exception {
    BasicOCSPResp basic = (BasicOCSPResp) new OCSPResp(stapled).getResponseObject();
    List<X509Certificate> out = new ArrayList<>();
    for (X509CertificateHolder h : basic.getCerts()) {
      out.add(jdkParse(h.getEncoded()));
    }
    return out;
  }

  private static X509Certificate jdkParse(byte[] der) throws CertificateException {
    return (X509Certificate)
        CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
  }

  private static CertificateID other(int i) throws Exception {
    return OcspResponseFactory.certId(
        pki.intermediate(), pki.server().getSerialNumber().add(BigInteger.valueOf(i)));
  }

  private static Date date(Instant i) {
    return Date.from(i);
  }
}
