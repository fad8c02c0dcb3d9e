package dev.staplekeeper.testapps.responder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.staplekeeper.testapps.ocsp.OcspResponseFactory;
import dev.staplekeeper.testapps.ocsp.OcspResponseFactory.Signer;
import dev.staplekeeper.testapps.pki.TestPki;
import dev.staplekeeper.testapps.responder.OcspClient.Reply;
import java.io.IOException;
import java.math.BigInteger;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXRevocationChecker;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OcspResponderTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final Duration VALIDITY = Duration.ofMinutes(2);

  @TempDir static Path dir;
  static OcspResponder responder;
  static TestPki pki;
  static OcspResponseFactory factory;
  static byte[] request;

  @BeforeAll
  static void start() throws IOException {
    responder = OcspResponder.startWithNewPki(dir, false, VALIDITY);
    pki = responder.pki();
    factory = new OcspResponseFactory(pki);
    request = factory.request(null, pki.server());
  }

  @AfterAll
  static void stop() {
    responder.close();
  }

  @BeforeEach
  void reset() {
    responder.mode(FaultMode.HEALTHY);
    responder.signer(Signer.DELEGATED);
    responder.validity(VALIDITY);
    responder.resetCount();
  }

  @Test
  void healthyAnswersGoodSignedByTheDelegatedSigner() throws Exception {
    Instant before = Instant.now().minusSeconds(1);
    Reply reply = OcspClient.post(responder.url(), request, TIMEOUT);

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.contentType()).isEqualTo("application/ocsp-response");
    BasicOCSPResp basic = basic(reply);
    SingleResp single = basic.getResponses()[0];
    assertThat(single.getCertID()).isEqualTo(factory.certId(pki.server()));
    assertThat(single.getCertStatus()).isEqualTo(CertificateStatus.GOOD);
    assertThat(single.getThisUpdate().toInstant()).isBetween(before, Instant.now());
    assertThat(single.getNextUpdate().getTime() - single.getThisUpdate().getTime())
        .isEqualTo(VALIDITY.toMillis());
    assertThat(verifies(basic, pki.ocspSigner())).isTrue();
    assertThat(responder.requestCount()).isEqualTo(1);
  }

  @Test
  void answersGetRequestsLikeTheJdkSendsThem() throws Exception {
    Reply reply = OcspClient.get(responder.url(), request, TIMEOUT);
    assertThat(reply.status()).isEqualTo(200);
    assertThat(basic(reply).getResponses()[0].getCertStatus()).isEqualTo(CertificateStatus.GOOD);
  }

  @Test
  void answersJavaNetHttpClientOverHttp2UpgradeAndChunkedBodies() throws Exception {
    // java.net.http defaults to HTTP/2 and offers an h2c upgrade; the responder stays on HTTP/1.1
    java.net.http.HttpClient client =
        java.net.http.HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    java.net.http.HttpResponse<byte[]> post =
        client.send(
            java.net.http.HttpRequest.newBuilder(responder.url())
                .header("Content-Type", "application/ocsp-request")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(request))
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofByteArray());
    assertThat(post.statusCode()).isEqualTo(200);
    assertThat(new OCSPResp(post.body()).getStatus()).isZero();

    java.net.HttpURLConnection c =
        (java.net.HttpURLConnection) responder.url().toURL().openConnection();
    c.setDoOutput(true);
    c.setChunkedStreamingMode(16);
    c.setRequestProperty("Content-Type", "application/ocsp-request");
    try (var out = c.getOutputStream()) {
      out.write(request);
    }
    assertThat(c.getResponseCode()).isEqualTo(200);
    try (var in = c.getInputStream()) {
      assertThat(new OCSPResp(in.readAllBytes()).getStatus()).isZero();
    }
    assertThat(responder.requestCount()).isEqualTo(2);
  }

  @Test
  void issuerSignerAndValidityAreConfigurable() throws Exception {
    responder.signer(Signer.ISSUER);
    responder.validity(Duration.ofSeconds(30));
    BasicOCSPResp basic = basic(OcspClient.post(responder.url(), request, TIMEOUT));
    assertThat(verifies(basic, pki.intermediate())).isTrue();
    assertThat(basic.getCerts()).isEmpty();
    SingleResp single = basic.getResponses()[0];
    assertThat(single.getNextUpdate().getTime() - single.getThisUpdate().getTime())
        .isEqualTo(30_000);
  }

  @Test
  void echoesTheRequestNonce() throws Exception {
    byte[] nonce = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6};
    BasicOCSPResp basic =
        basic(OcspClient.post(responder.url(), factory.request(nonce, pki.server()), TIMEOUT));
    assertThat(
            basic
                .getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce)
                .getParsedValue()
                .toASN1Primitive()
                .getEncoded())
        .endsWith(nonce);
  }

  @Test
  void answersForOtherLeavesOfTheIntermediateButNotForOtherIssuers() throws Exception {
    X509Certificate other = pki.issueLeaf("other.test", responder.url()).cert();
    BasicOCSPResp basic =
        basic(OcspClient.post(responder.url(), factory.request(null, other), TIMEOUT));
    assertThat(basic.getResponses()[0].getCertID().getSerialNumber())
        .isEqualTo(other.getSerialNumber());

    OCSPResp foreign =
        new OCSPResp(
            OcspClient.post(
                    responder.url(),
                    new org.bouncycastle.cert.ocsp.OCSPReqBuilder()
                        .addRequest(OcspResponseFactory.certId(pki.rogue(), BigInteger.TEN))
                        .build()
                        .getEncoded(),
                    TIMEOUT)
                .body());
    assertThat(foreign.getStatus()).isEqualTo(6);
  }

  @Test
  void badRequestsGetMalformedRequestOr404() throws Exception {
    Reply junk = OcspClient.post(responder.url(), new byte[] {1, 2, 3}, TIMEOUT);
    assertThat(new OCSPResp(junk.body()).getStatus()).isEqualTo(1);
    Reply elsewhere = OcspClient.post(URI.create(responder.url() + "x"), request, TIMEOUT);
    assertThat(elsewhere.status()).isEqualTo(404);
    assertThat(responder.requestCount()).isEqualTo(2);
  }

  @ParameterizedTest
  @CsvSource({
    "UNAUTHORIZED, 6",
    "TRY_LATER, 3",
    "INTERNAL_ERROR, 2",
    "MALFORMED_REQUEST, 1",
    "SIG_REQUIRED, 5"
  })
  void errorModesAnswerTheirStatus(FaultMode mode, int status) throws Exception {
    responder.mode(mode);
    Reply reply = OcspClient.post(responder.url(), request, TIMEOUT);
    assertThat(reply.status()).isEqualTo(200);
    OCSPResp resp = new OCSPResp(reply.body());
    assertThat(resp.getStatus()).isEqualTo(status);
    assertThat(resp.getResponseObject()).isNull();
    assertThat(responder.requestCount()).isEqualTo(1);
  }

  @Test
  void garbageIsNotDer() throws Exception {
    responder.mode(FaultMode.GARBAGE);
    Reply reply = OcspClient.post(responder.url(), request, TIMEOUT);
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.contentType()).isEqualTo("application/ocsp-response");
    assertThat(reply.body()).hasSize(1024);
    assertThatThrownBy(() -> new OCSPResp(reply.body())).isInstanceOf(IOException.class);
  }

  @Test
  void rawServesExactlyTheGivenBytes() throws Exception {
    byte[] crafted = new byte[] {0x30, (byte) 0x84, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff};
    responder.serveRaw(crafted);
    assertThat(responder.mode()).isEqualTo(FaultMode.RAW);
    Reply reply = OcspClient.post(responder.url(), request, TIMEOUT);
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.body()).containsExactly(crafted);
    crafted[0] = 0; // the responder keeps its own copy
    assertThat(OcspClient.get(responder.url(), request, TIMEOUT).body()[0]).isEqualTo((byte) 0x30);
  }

  @Test
  void http500() throws Exception {
    responder.mode(FaultMode.HTTP_500);
    assertThat(OcspClient.post(responder.url(), request, TIMEOUT).status()).isEqualTo(500);
  }

  @Test
  void expiredHasNextUpdateAnHourAgo() throws Exception {
    responder.mode(FaultMode.EXPIRED);
    SingleResp single = single(OcspClient.post(responder.url(), request, TIMEOUT));
    assertThat(single.getNextUpdate().toInstant())
        .isBefore(Instant.now().minus(Duration.ofMinutes(59)));
    assertThat(single.getThisUpdate()).isBefore(single.getNextUpdate());
  }

  @Test
  void futureHasThisUpdateHoursAhead() throws Exception {
    responder.mode(FaultMode.FUTURE);
    SingleResp single = single(OcspClient.post(responder.url(), request, TIMEOUT));
    assertThat(single.getThisUpdate().toInstant()).isAfter(Instant.now().plus(Duration.ofHours(2)));
  }

  @Test
  void noNextUpdate() throws Exception {
    responder.mode(FaultMode.NO_NEXT_UPDATE);
    assertThat(single(OcspClient.post(responder.url(), request, TIMEOUT)).getNextUpdate()).isNull();
  }

  @Test
  void revokedAndUnknown() throws Exception {
    responder.mode(FaultMode.REVOKED);
    SingleResp revoked = single(OcspClient.post(responder.url(), request, TIMEOUT));
    assertThat(revoked.getCertStatus()).isInstanceOf(RevokedStatus.class);
    assertThat(((RevokedStatus) revoked.getCertStatus()).getRevocationReason()).isEqualTo(1);
    responder.mode(FaultMode.UNKNOWN);
    assertThat(single(OcspClient.post(responder.url(), request, TIMEOUT)).getCertStatus())
        .isInstanceOf(UnknownStatus.class);
  }

  @Test
  void wrongSignerIsTheRogueKey() throws Exception {
    responder.mode(FaultMode.WRONG_SIGNER);
    BasicOCSPResp basic = basic(OcspClient.post(responder.url(), request, TIMEOUT));
    assertThat(verifies(basic, pki.ocspSigner())).isFalse();
    assertThat(verifies(basic, pki.intermediate())).isFalse();
    assertThat(verifies(basic, pki.rogue())).isTrue();
  }

  @Test
  void wrongCertIdAnswersForTheNextSerial() throws Exception {
    responder.mode(FaultMode.WRONG_CERT_ID);
    BasicOCSPResp basic = basic(OcspClient.post(responder.url(), request, TIMEOUT));
    assertThat(basic.getResponses()[0].getCertID().getSerialNumber())
        .isEqualTo(pki.server().getSerialNumber().add(BigInteger.ONE));
    assertThat(verifies(basic, pki.ocspSigner())).isTrue();
  }

  @Test
  void delegatedWithoutEku() throws Exception {
    responder.mode(FaultMode.DELEGATED_NO_EKU);
    BasicOCSPResp basic = basic(OcspClient.post(responder.url(), request, TIMEOUT));
    assertThat(basic.getCerts()[0].getEncoded()).isEqualTo(pki.ocspSignerWithoutEku().getEncoded());
    assertThat(verifies(basic, pki.ocspSignerWithoutEku())).isTrue();
  }

  @Test
  void oversizedIsAValidResponseOfTwoMebibytes() throws Exception {
    responder.mode(FaultMode.OVERSIZED);
    Reply reply = OcspClient.post(responder.url(), request, TIMEOUT);
    assertThat(reply.body().length).isGreaterThan(OcspResponder.OVERSIZED_BYTES);
    assertThat(verifies(basic(reply), pki.ocspSigner())).isTrue();
  }

  @Test
  void slowAnswersAfterTheDelay() throws Exception {
    responder.mode(FaultMode.SLOW);
    responder.slowDelay(Duration.ofMillis(400));
    long t0 = System.nanoTime();
    SingleResp single = single(OcspClient.post(responder.url(), request, TIMEOUT));
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isGreaterThanOrEqualTo(400);
    assertThat(single.getCertStatus()).isEqualTo(CertificateStatus.GOOD);
  }

  @Test
  void hangNeverAnswersUntilTheModeChanges() throws Exception {
    responder.mode(FaultMode.HANG);
    assertThatThrownBy(() -> OcspClient.post(responder.url(), request, Duration.ofMillis(300)))
        .isInstanceOf(SocketTimeoutException.class);
    assertThat(responder.requestCount()).isEqualTo(1);

    CompletableFuture<Reply> pending =
        CompletableFuture.supplyAsync(() -> post(responder.url(), Duration.ofSeconds(10)));
    assertThat(responder.awaitRequestCount(2, TIMEOUT)).isTrue();
    Thread.sleep(300);
    assertThat(pending).isNotDone();
    responder.mode(FaultMode.HEALTHY);
    Reply reply = pending.get(5, TimeUnit.SECONDS);
    assertThat(single(reply).getCertStatus()).isEqualTo(CertificateStatus.GOOD);
  }

  @Test
  void downRefusesConnectionsAndComesBackOnTheSamePort() throws Exception {
    try (OcspResponder own = OcspResponder.bind(0).start(pki, VALIDITY)) {
      own.mode(FaultMode.DOWN);
      assertThatThrownBy(() -> OcspClient.post(own.url(), request, TIMEOUT))
          .isInstanceOf(ConnectException.class);
      assertThat(own.requestCount()).isZero();
      own.mode(FaultMode.TRY_LATER);
      assertThat(new OCSPResp(OcspClient.post(own.url(), request, TIMEOUT).body()).getStatus())
          .isEqualTo(3);
      assertThat(own.requestCount()).isEqualTo(1);
    }
  }

  @Test
  void downDropsHangingConnections() throws Exception {
    try (OcspResponder own = OcspResponder.bind(0).start(pki, VALIDITY)) {
      own.mode(FaultMode.HANG);
      CompletableFuture<Reply> pending =
          CompletableFuture.supplyAsync(() -> post(own.url(), Duration.ofSeconds(10)));
      assertThat(own.awaitRequestCount(1, TIMEOUT)).isTrue();
      own.mode(FaultMode.DOWN);
      assertThatThrownBy(() -> pending.get(2, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class);
    }
  }

  @Test
  void closeReleasesHangingHandlersAndThePort() throws Exception {
    OcspResponder own = OcspResponder.bind(0).start(pki, VALIDITY);
    own.mode(FaultMode.HANG);
    CompletableFuture<Reply> pending =
        CompletableFuture.supplyAsync(() -> post(own.url(), Duration.ofSeconds(10)));
    assertThat(own.awaitRequestCount(1, TIMEOUT)).isTrue();
    long t0 = System.nanoTime();
    own.close();
    assertThatThrownBy(() -> pending.get(2, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(2000);
    assertThatThrownBy(() -> OcspClient.post(own.url(), request, TIMEOUT))
        .isInstanceOf(ConnectException.class);
  }

  @Test
  void bindsBeforeStartAndQueuesConnectionsUntilThen() throws Exception {
    try (OcspResponder own = OcspResponder.bind(0)) {
      CompletableFuture<Reply> early =
          CompletableFuture.supplyAsync(() -> post(own.url(), Duration.ofSeconds(10)));
      Thread.sleep(200);
      assertThat(early).isNotDone();
      own.start(pki, VALIDITY);
      assertThat(single(early.get(5, TimeUnit.SECONDS)).getCertStatus())
          .isEqualTo(CertificateStatus.GOOD);
    }
  }

  @Test
  void countsRequestsInEveryModeUntilReset() throws Exception {
    for (FaultMode mode : EnumSet.complementOf(EnumSet.of(FaultMode.DOWN, FaultMode.HANG))) {
      responder.mode(mode);
      responder.slowDelay(Duration.ofMillis(10));
      OcspClient.post(responder.url(), request, TIMEOUT);
    }
    assertThat(responder.requestCount()).isEqualTo(FaultMode.values().length - 2);
    responder.resetCount();
    assertThat(responder.requestCount()).isZero();
  }

  @Test
  void jdkRevocationCheckerAcceptsHealthyAndSeesRevoked() throws Exception {
    // The JDK's own OCSP client (GET, delegated-signer checks) against the responder in the AIA.
    CertificateFactory cf = CertificateFactory.getInstance("X.509");
    var path = cf.generateCertPath(List.of(pki.server(), pki.intermediate()));
    CertPathValidator validator = CertPathValidator.getInstance("PKIX");
    PKIXRevocationChecker checker = (PKIXRevocationChecker) validator.getRevocationChecker();
    checker.setOptions(
        EnumSet.of(
            PKIXRevocationChecker.Option.ONLY_END_ENTITY,
            PKIXRevocationChecker.Option.NO_FALLBACK));
    PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(pki.root(), null)));
    params.addCertPathChecker(checker);

    validator.validate(path, params);
    assertThat(responder.requestCount()).isEqualTo(1);

    responder.mode(FaultMode.REVOKED);
    assertThatThrownBy(() -> validator.validate(path, params))
        .isInstanceOfSatisfying(
            CertPathValidatorException.class,
            e ->
                assertThat(e.getReason())
                    .isEqualTo(CertPathValidatorException.BasicReason.REVOKED));
  }

  @Test
  void opensslOcspClientSeesGood() throws Exception {
    assumeTrue(onPath("openssl"), "openssl not installed");
    Process p =
        new ProcessBuilder(
                "openssl",
                "ocsp",
                "-issuer",
                dir.resolve("intermediate.pem").toString(),
                "-cert",
                dir.resolve("server.pem").toString(),
                "-url",
                responder.url().toString(),
                "-CAfile",
                dir.resolve("root.pem").toString(),
                "-verify_other",
                dir.resolve("intermediate.pem").toString(),
                "-timeout",
                "5")
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(out).contains("Response verify OK", "server.pem: good");
  }

  private static Reply post(URI url, Duration timeout) {
    try {
      return OcspClient.post(url, request, timeout);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static BasicOCSPResp basic(Reply reply) throws Exception {
    OCSPResp resp = new OCSPResp(reply.body());
    assertThat(resp.getStatus()).isZero();
    return (BasicOCSPResp) resp.getResponseObject();
  }

  static SingleResp single(Reply reply) throws Exception {
    return basic(reply).getResponses()[0];
  }

  static boolean verifies(BasicOCSPResp basic, X509Certificate signer) throws Exception {
    return basic.isSignatureValid(new JcaContentVerifierProviderBuilder().build(signer));
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
