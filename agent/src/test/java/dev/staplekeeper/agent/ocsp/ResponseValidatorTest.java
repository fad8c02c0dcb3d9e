package dev.staplekeeper.agent.ocsp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.staplekeeper.testapps.ocsp.OcspResponseFactory;
import dev.staplekeeper.testapps.ocsp.OcspResponseFactory.Signer;
import dev.staplekeeper.testapps.pki.TestPki;
import java.math.BigInteger;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.ocsp.OCSPResponse;
import org.bouncycastle.asn1.ocsp.OCSPResponseStatus;
import org.bouncycastle.asn1.ocsp.ResponseBytes;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ResponseValidatorTest {
  private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  private static final Duration SKEW = Duration.ofMinutes(5);

  @TempDir static Path dir;
  static TestPki pki;
  static OcspResponseFactory responses;
  static CertId serverId;

  private final ResponseValidator validator = new ResponseValidator(SKEW);

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

  private OcspResponseFactory.Spec server() {
    return responses.forCertificate(pki.server());
  }

  // --- certStatus ---

  @Test
  void acceptsGoodResponseSignedByDelegatedResponder() throws Exception {
    byte[] der = server().signer(Signer.DELEGATED).build();

    ValidatedResponse response = validate(der);

    assertThat(response.status()).isEqualTo(ValidatedResponse.Status.GOOD);
    assertThat(response.der()).isEqualTo(der);
    assertThat(response.certId()).isEqualTo(serverId);
    assertThat(response.thisUpdate()).isEqualTo(NOW);
    assertThat(response.nextUpdate()).isEqualTo(NOW.plus(OcspResponseFactory.DEFAULT_VALIDITY));
    assertThat(response.producedAt()).isEqualTo(NOW);
    assertThat(response.revocationTime()).isNull();
  }

  @Test
  void acceptsGoodResponseSignedByIssuerIdentifiedByKeyHash() throws Exception {
    assertThat(validate(server().signer(Signer.ISSUER).build()).status())
        .isEqualTo(ValidatedResponse.Status.GOOD);
  }

  @Test
  void acceptsResponseSignedByIssuerIdentifiedByName() throws Exception {
    assertThat(validate(server().signer(Signer.ISSUER).responderIdByName().build()).status())
        .isEqualTo(ValidatedResponse.Status.GOOD);
  }

  @Test
  void acceptsDelegatedResponderIdentifiedByName() throws Exception {
    assertThat(validate(server().signer(Signer.DELEGATED).responderIdByName().build()).status())
        .isEqualTo(ValidatedResponse.Status.GOOD);
  }

  @Test
  void acceptsIssuerSignedResponseThatIncludesTheIssuerCertificate() throws Exception {
    assertThat(validate(server().signer(Signer.ISSUER).includeCerts(true).build()).status())
        .isEqualTo(ValidatedResponse.Status.GOOD);
  }

  @Test
  void rejectsDelegatedSignatureWhenTheResponderCertificateIsNotIncluded() {
    assertThat(rejection(server().signer(Signer.DELEGATED).includeCerts(false).build()))
        .contains("signed by an unauthorized key")
        .contains("included: none");
  }

  @Test
  void reportsRevokedWithRevocationTime() throws Exception {
    Instant revokedAt = NOW.minus(Duration.ofDays(2));

    ValidatedResponse response = validate(server().revoked(revokedAt, 1).build());

    assertThat(response.status()).isEqualTo(ValidatedResponse.Status.REVOKED);
    assertThat(response.revocationTime()).isEqualTo(revokedAt);
  }

  @Test
  void rejectsCertStatusUnknown() {
    assertThat(rejection(server().unknown().build()))
        .contains("responder says certStatus unknown")
        .contains(pki.server().getSerialNumber().toString(16));
  }

  // --- signer ---

  @Test
  void rejectsDelegatedSignerWithoutOcspSigningEku() {
    assertThat(rejection(server().signer(Signer.DELEGATED_NO_EKU).build()))
        .contains("signed by an unauthorized cert")
        .contains("OCSP Signer without EKU")
        .contains("lacks extendedKeyUsage id-kp-OCSPSigning");
  }

  @Test
  void rejectsResponseSignedByRogueCaClaimingOcspSigning() {
    assertThat(rejection(server().signer(Signer.ROGUE).build()))
        .contains(
            "signed by an unauthorized cert (subject O=Not StapleKeeper, CN=StapleKeeper Rogue CA")
        .contains("not issued by O=StapleKeeper Test, CN=StapleKeeper Test Intermediate CA");
  }

  @Test
  void rejectsResponseSignedByUnrelatedKeyWithoutCertificate() {
    assertThat(rejection(server().signer(Signer.ROGUE).includeCerts(false).build()))
        .contains("signed by an unauthorized key (responderID byKey")
        .contains("included: none");
  }

  @Test
  void rejectsDelegatedSignerIssuedByAnotherCaOfTheSameName() throws Exception {
    // Same subject names, different keys: the look-alike's signer claims to be issued by our
    // intermediate, but its certificate signature does not verify with our intermediate's key.
    TestPki lookAlike =
        TestPki.create(dir.resolve("look-alike"), URI.create("http://127.0.0.1:1/"), false);
    byte[] der =
        new OcspResponseFactory(lookAlike, Clock.fixed(NOW, ZoneOffset.UTC))
            .forCertId(BcCertIds.of(serverId))
            .signer(Signer.DELEGATED)
            .build();

    assertThat(rejection(der))
        .contains(
            "signed by an unauthorized cert (subject O=StapleKeeper Test, CN=StapleKeeper Test OCSP Signer")
        .contains("certificate signature does not verify with the key of");
  }

  @Test
  void rejectsLookAlikeIssuerKeyNamedLikeTheIssuer() throws Exception {
    TestPki lookAlike =
        TestPki.create(dir.resolve("look-alike-2"), URI.create("http://127.0.0.1:1/"), false);
    byte[] der =
        new OcspResponseFactory(lookAlike, Clock.fixed(NOW, ZoneOffset.UTC))
            .forCertId(BcCertIds.of(serverId))
            .signer(Signer.ISSUER)
            .responderIdByName()
            .build();

    assertThat(rejection(der))
        .contains("signed by an unauthorized key")
        .contains("does not verify with the issuer's public key");
  }

  @Test
  void rejectsTamperedSignatureOfIssuer() {
    assertThat(rejection(server().signer(Signer.ISSUER).tamperSignature().build()))
        .contains("signed by an unauthorized key")
        .contains("does not verify");
  }

  @Test
  void rejectsTamperedSignatureOfDelegatedResponder() {
    assertThat(rejection(server().signer(Signer.DELEGATED).tamperSignature().build()))
        .contains(
            "signed by an unauthorized cert (subject O=StapleKeeper Test, CN=StapleKeeper Test OCSP Signer")
        .contains("the response signature does not verify with its public key");
  }

  @Test
  void rejectsDelegatedSignerPastItsValidity() throws Exception {
    Instant later = NOW.plus(Duration.ofDays(40));
    byte[] der =
        new OcspResponseFactory(pki, Clock.fixed(later, ZoneOffset.UTC))
            .forCertificate(pki.server())
            .build();

    assertThatThrownBy(() -> validator.validate(der, serverId, pki.intermediate(), later))
        .isInstanceOf(InvalidResponseException.class)
        .hasMessageContaining("signed by an unauthorized cert")
        .hasMessageContaining("not valid at " + later);
  }

  // --- times ---

  @Test
  void rejectsExpiredResponse() {
    byte[] der =
        server().thisUpdate(NOW.minus(Duration.ofHours(2))).nextUpdate(NOW.minusSeconds(1)).build();

    assertThat(rejection(der))
        .contains("expired: nextUpdate " + NOW.minusSeconds(1))
        .contains("not after now " + NOW);
  }

  @Test
  void rejectsResponseWhoseNextUpdateIsNow() {
    byte[] der = server().thisUpdate(NOW.minus(Duration.ofHours(1))).nextUpdate(NOW).build();

    assertThat(rejection(der)).contains("expired");
  }

  @Test
  void rejectsResponseWithoutNextUpdate() {
    assertThat(rejection(server().nextUpdate(null).build()))
        .contains("no nextUpdate")
        .contains("cannot be cached safely");
  }

  @Test
  void rejectsThisUpdateInTheFutureBeyondClockSkew() {
    Instant ahead = NOW.plus(SKEW).plusSeconds(1);

    assertThat(rejection(server().thisUpdate(ahead).build()))
        .contains("thisUpdate " + ahead + " is in the future")
        .contains("allowed clock skew is PT5M");
  }

  @Test
  void acceptsThisUpdateInTheFutureWithinClockSkew() throws Exception {
    Instant ahead = NOW.plus(SKEW);

    assertThat(validate(server().thisUpdate(ahead).build()).thisUpdate()).isEqualTo(ahead);
  }

  @Test
  void zeroSkewRejectsAnyFutureThisUpdate() {
    ResponseValidator strict = new ResponseValidator(Duration.ZERO);
    byte[] der = server().thisUpdate(NOW.plusSeconds(1)).build();

    assertThatThrownBy(() -> strict.validate(der, serverId, pki.intermediate(), NOW))
        .isInstanceOf(InvalidResponseException.class)
        .hasMessageContaining("in the future");
  }

  @Test
  void rejectsNegativeClockSkew() {
    assertThatThrownBy(() -> new ResponseValidator(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // --- CertID ---

  @Test
  void rejectsResponseForAnotherSerial() {
    BigInteger other = pki.server().getSerialNumber().add(BigInteger.ONE);

    assertThat(rejection(server().serial(other).build()))
        .contains("no response for serial " + pki.server().getSerialNumber().toString(16))
        .contains("it answers for serial(s) [" + other.toString(16) + "]");
  }

  @Test
  void rejectsResponseForSameSerialUnderAnotherIssuer() {
    CertificateID underRogue =
        OcspResponseFactory.certId(pki.rogue(), pki.server().getSerialNumber());

    assertThat(rejection(responses.forCertId(underRogue).build()))
        .contains("no response for serial")
        .contains(
            "issuer name/key hash is not that of O=StapleKeeper Test, CN=StapleKeeper Test Intermediate CA");
  }

  @Test
  void matchesCertIdHashedWithSha256() throws Exception {
    CertificateID sha256 =
        new CertificateID(
            new JcaDigestCalculatorProviderBuilder()
                .build()
                .get(new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha256, DERNull.INSTANCE)),
            new X509CertificateHolder(pki.intermediate().getEncoded()),
            pki.server().getSerialNumber());

    ValidatedResponse response = validate(responses.forCertId(sha256).build());

    assertThat(response.status()).isEqualTo(ValidatedResponse.Status.GOOD);
    assertThat(response.certId()).isEqualTo(serverId);
  }

  @Test
  void picksTheMatchingSingleResponseAmongSeveral() throws Exception {
    CertificateID other =
        OcspResponseFactory.certId(
            pki.intermediate(), pki.server().getSerialNumber().add(BigInteger.TWO));
    byte[] der = responses.forCertIds(List.of(other, BcCertIds.of(serverId))).build();

    assertThat(validate(der).status()).isEqualTo(ValidatedResponse.Status.GOOD);
  }

  @Test
  void rejectsIssuerThatDoesNotMatchTheCertId() {
    byte[] der = server().build();

    assertThatThrownBy(() -> validator.validate(der, serverId, pki.root(), NOW))
        .isInstanceOf(InvalidResponseException.class)
        .hasMessageContaining("is not the issuer named by");
  }

  // --- responseStatus and structure ---

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
    "1, malformedRequest (1)",
    "2, internalError (2)",
    "3, tryLater (3)",
    "5, sigRequired (5)",
    "6, unauthorized (6)",
    "4, unassigned value 4"
  })
  void rejectsErrorResponseStatusNamingIt(int status, String name) {
    assertThat(rejection(OcspResponseFactory.errorResponse(status)))
        .isEqualTo("responder answered responseStatus " + name + "; expected successful (0)");
  }

  @Test
  void rejectsSuccessfulStatusWithoutResponseBytes() throws Exception {
    byte[] der =
        new OCSPResponse(new OCSPResponseStatus(OCSPResponseStatus.SUCCESSFUL), null)
            .getEncoded("DER");

    assertThat(rejection(der)).contains("without responseBytes");
  }

  @Test
  void rejectsResponseTypeOtherThanBasic() throws Exception {
    byte[] der =
        new OCSPResponse(
                new OCSPResponseStatus(OCSPResponseStatus.SUCCESSFUL),
                new ResponseBytes(
                    new ASN1ObjectIdentifier("1.3.6.1.5.5.7.48.1.99"),
                    new DEROctetString(new byte[] {0x30, 0x00})))
            .getEncoded("DER");

    assertThat(rejection(der))
        .contains("responseType is 1.3.6.1.5.5.7.48.1.99")
        .contains("expected id-pkix-ocsp-basic (1.3.6.1.5.5.7.48.1.1)");
  }

  @Test
  void rejectsBasicResponseThatDoesNotDecode() throws Exception {
    byte[] der =
        new OCSPResponse(
                new OCSPResponseStatus(OCSPResponseStatus.SUCCESSFUL),
                new ResponseBytes(
                    org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers.id_pkix_ocsp_basic,
                    new DEROctetString(new byte[] {0x30, 0x03, 0x02, 0x01, 0x01})))
            .getEncoded("DER");

    assertThat(rejection(der)).contains("cannot decode the BasicOCSPResponse");
  }

  @Test
  void rejectsUnknownCriticalResponseExtension() {
    byte[] der =
        server()
            .extension(
                new Extension(
                    new ASN1ObjectIdentifier("1.3.6.1.4.1.99999.1"), true, new byte[] {5, 0}))
            .build();

    assertThat(rejection(der)).contains("unsupported critical extension 1.3.6.1.4.1.99999.1");
  }

  @Test
  void acceptsResponseCarryingANonce() throws Exception {
    assertThat(validate(server().nonce(new byte[] {1, 2, 3, 4}).build()).status())
        .isEqualTo(ValidatedResponse.Status.GOOD);
  }

  @Test
  void rejectsEmptyBody() {
    assertThat(rejection(new byte[0])).contains("empty OCSP response (0 bytes)");
  }

  @Test
  void rejectsNullBytes() {
    assertThat(rejection(null)).contains("no OCSP response bytes");
  }

  @Test
  void rejectsTruncatedDer() {
    byte[] good = server().build();
    byte[] truncated = Arrays.copyOf(good, good.length / 2);

    assertThat(rejection(truncated))
        .contains("truncated or malformed DER (" + truncated.length + " bytes)");
  }

  @Test
  void rejectsEveryTruncationWithACheckedException() {
    byte[] good = server().build();
    for (int length = 0; length < good.length; length++) {
      byte[] prefix = Arrays.copyOf(good, length);
      assertThat(catchThrowable(() -> validate(prefix)))
          .as("prefix of %d bytes", length)
          .isInstanceOf(InvalidResponseException.class);
    }
  }

  @Test
  void rejectsTrailingBytesAfterTheResponse() {
    byte[] good = server().build();
    byte[] padded = Arrays.copyOf(good, good.length + 3);

    assertThat(rejection(padded)).contains("3 unexpected bytes after the DER OCSPResponse");
  }

  @Test
  void rejectsGarbageBytes() {
    byte[] garbage = new byte[300];
    new Random(42).nextBytes(garbage);
    garbage[0] = (byte) 0x9f;

    assertThat(rejection(garbage)).contains("not an OCSP response").contains("0x9f");
  }

  @Test
  void rejectsGarbageThatStartsLikeASequence() {
    byte[] garbage = new byte[300];
    new Random(7).nextBytes(garbage);
    garbage[0] = 0x30;

    assertThat(catchThrowable(() -> validate(garbage)))
        .isInstanceOf(InvalidResponseException.class);
  }

  @Test
  void showsTextWhenTheResponderSentAnHtmlPage() {
    byte[] html = "<html><body>502 Bad Gateway</body></html>".getBytes(StandardCharsets.US_ASCII);

    assertThat(rejection(html)).contains("\"<html><body>502 Bad Gateway</bod...\" (text, not DER)");
  }

  @Test
  void neverThrowsAnythingButInvalidResponseForCorruptedBytes() {
    byte[] good = server().build();
    Random random = new Random(1);
    for (int i = 0; i < good.length; i++) {
      byte[] corrupted = good.clone();
      corrupted[i] ^= (byte) (1 + random.nextInt(255));
      Throwable thrown = catchThrowable(() -> validate(corrupted));
      if (thrown != null) {
        assertThat(thrown).as("byte %d corrupted", i).isInstanceOf(InvalidResponseException.class);
      }
    }
  }

  // --- contract ---

  @Test
  void keepsItsOwnCopyOfTheBytes() throws Exception {
    byte[] der = server().build();
    byte[] original = der.clone();

    ValidatedResponse response = validate(der);
    Arrays.fill(der, (byte) 0);

    assertThat(response.der()).isEqualTo(original);
  }

  @Test
  void validatesAResponseLoadedFromDiskTheSameWay() throws Exception {
    Path stored = dir.resolve("stored.der");
    Files.write(stored, server().build());
    Path expired = dir.resolve("expired.der");
    Files.write(
        expired,
        server().thisUpdate(NOW.minus(Duration.ofHours(3))).validity(Duration.ofHours(1)).build());

    assertThat(validate(Files.readAllBytes(stored)).status())
        .isEqualTo(ValidatedResponse.Status.GOOD);
    assertThat(rejection(Files.readAllBytes(expired))).contains("expired");
  }
}
