package dev.staplekeeper.agent.ocsp;

import static dev.staplekeeper.agent.ocsp.ScriptedHttpPeer.ascii;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.staplekeeper.testapps.pki.TestPki;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.cert.ocsp.OCSPReq;
import org.bouncycastle.cert.ocsp.Req;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fetcher on the wire, against a scripted HTTP peer: request format (POST, RFC 5019 GET, nonce)
 * and the slow, large or odd answers the test-apps responder does not produce.
 */
class OcspFetcherWireTest {
  private static final Duration DEADLINE = Duration.ofMillis(1000);
  private static final int MAX_BYTES = 4096;
  private static final byte[] BODY = {0x30, 0x03, 0x0a, 0x01, 0x03};
  private static final String OK_HEADERS =
      "HTTP/1.1 200 OK\r\nContent-Type: application/ocsp-response\r\nConnection: close\r\n";

  @TempDir static Path dir;
  static CertId id;

  private final OcspFetcher defaults = new OcspFetcher(Duration.ofMillis(500), DEADLINE, MAX_BYTES);
  private final OcspFetcher fetcher = defaults.withPostOnly(true);
  private ScriptedHttpPeer peer;

  @BeforeAll
  static void createPki() throws Exception {
    TestPki pki = TestPki.create(dir, URI.create("http://127.0.0.1:1/ocsp"), false);
    id = CertId.of(pki.server(), pki.intermediate());
  }

  @AfterEach
  void closePeer() throws Exception {
    if (peer != null) {
      peer.close();
    }
  }

  private URI answering(ScriptedHttpPeer.Script script) throws Exception {
    peer = new ScriptedHttpPeer(script);
    return peer.uri("/ocsp");
  }

  private static void ok(java.io.OutputStream out, byte[] body) throws java.io.IOException {
    out.write(ascii(OK_HEADERS + "Content-Length: " + body.length + "\r\n\r\n"));
    out.write(body);
  }

  private static void assertRequestsExactly(byte[] der, CertId expected) throws Exception {
    OCSPReq request = new OCSPReq(der);
    Req[] single = request.getRequestList();
    assertThat(single).hasSize(1);
    assertThat(single[0].getCertID()).isEqualTo(BcCertIds.of(expected));
    assertThat(request.isSigned()).isFalse();
  }

  @Test
  void postsTheDerRequestAsApplicationOcspRequest() throws Exception {
    URI uri = answering((out, request) -> ok(out, BODY));

    byte[] body = fetcher.fetch(uri, id);

    assertThat(body).isEqualTo(BODY);
    ScriptedHttpPeer.Request request = peer.takeRequest();
    assertThat(request.method).isEqualTo("POST");
    assertThat(request.target).isEqualTo("/ocsp");
    assertThat(request.header("Content-Type")).isEqualTo("application/ocsp-request");
    assertThat(request.header("Accept")).isEqualTo("application/ocsp-response");
    assertRequestsExactly(request.body, id);
    assertThat(new OCSPReq(request.body).hasExtensions()).isFalse();
  }

  @Test
  void usesRfc5019GetByDefaultWhenTheRequestIsShort() throws Exception {
    URI uri = answering((out, request) -> ok(out, BODY));

    assertThat(defaults.fetch(uri, id)).isEqualTo(BODY);

    ScriptedHttpPeer.Request request = peer.takeRequest();
    assertThat(request.method).isEqualTo("GET");
    assertThat(request.target).startsWith("/ocsp/");
    String encoded = request.target.substring("/ocsp/".length());
    assertThat(encoded).doesNotContain("/", "+", "=").hasSizeLessThan(255);
    assertRequestsExactly(
        Base64.getDecoder().decode(URLDecoder.decode(encoded, StandardCharsets.UTF_8)), id);
  }

  @Test
  void addsAFreshNonceOnlyWhenAskedTo() throws Exception {
    URI uri = answering((out, request) -> ok(out, BODY));
    OcspFetcher withNonce = fetcher.withNonce(true);

    withNonce.fetch(uri, id);
    withNonce.fetch(uri, id);

    byte[] first = nonce(peer.takeRequest().body);
    byte[] second = nonce(peer.takeRequest().body);
    assertThat(first).hasSize(16);
    assertThat(second).hasSize(16).isNotEqualTo(first);
  }

  private static byte[] nonce(byte[] requestDer) throws Exception {
    OCSPReq request = new OCSPReq(requestDer);
    return ASN1OctetString.getInstance(
            request.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce).getParsedValue())
        .getOctets();
  }

  @Test
  void getUriIsOnlyBuiltForShortRequestsOnPlainUris() {
    URI base = URI.create("http://ocsp.example.test/ocsp");
    byte[] shortRequest = new byte[60];
    byte[] longRequest = new byte[200];

    assertThat(OcspFetcher.getUri(base, shortRequest).toString())
        .startsWith("http://ocsp.example.test/ocsp/AAAA");
    assertThat(OcspFetcher.getUri(URI.create("http://ocsp.example.test/"), shortRequest).toString())
        .startsWith("http://ocsp.example.test/AAAA");
    assertThat(OcspFetcher.getUri(base, longRequest)).isNull();
    assertThat(OcspFetcher.getUri(URI.create("http://ocsp.example.test/?x=1"), shortRequest))
        .isNull();
  }

  @Test
  void timesOutWhenTheResponderTricklesTheHeaders() throws Exception {
    byte[] endless = new byte[100_000];
    Arrays.fill(endless, (byte) 'a');
    URI uri =
        answering(
            (out, request) -> {
              out.write(ascii("HTTP/1.1 200 OK\r\nX-Slow: "));
              ScriptedHttpPeer.trickle(out, endless, 100);
            });

    long start = System.nanoTime();
    FetchException e = catchThrowableOfType(FetchException.class, () -> fetcher.fetch(uri, id));
    long elapsedMillis = (System.nanoTime() - start) / 1_000_000;

    assertThat(e.kind()).isEqualTo(FetchException.Kind.TIMEOUT);
    assertThat(e.getMessage()).contains(uri.toString()).contains("deadline of 1000 ms");
    assertThat(elapsedMillis).isBetween(900L, 1900L);
    assertThat(peer.awaitClientHangUp(3000)).as("connection closed after the deadline").isTrue();
  }

  @Test
  void timesOutWhenTheResponderTricklesTheBody() throws Exception {
    URI uri =
        answering(
            (out, request) -> {
              out.write(ascii(OK_HEADERS + "Content-Length: 4000\r\n\r\n"));
              out.flush();
              ScriptedHttpPeer.trickle(out, new byte[4000], 100);
            });

    long start = System.nanoTime();
    FetchException e = catchThrowableOfType(FetchException.class, () -> fetcher.fetch(uri, id));
    long elapsedMillis = (System.nanoTime() - start) / 1_000_000;

    assertThat(e.kind()).isEqualTo(FetchException.Kind.TIMEOUT);
    assertThat(elapsedMillis).isBetween(900L, 1900L);
    assertThat(peer.awaitClientHangUp(3000)).as("connection closed after the deadline").isTrue();
  }

  @Test
  void rejectsABodyWithoutContentLengthOneByteOverTheLimit() throws Exception {
    URI uri =
        answering(
            (out, request) -> {
              out.write(ascii(OK_HEADERS + "\r\n"));
              out.write(new byte[MAX_BYTES + 1]);
            });

    FetchException e = catchThrowableOfType(FetchException.class, () -> fetcher.fetch(uri, id));

    assertThat(e.kind()).isEqualTo(FetchException.Kind.TOO_LARGE);
    assertThat(e.getMessage()).contains("limit of 4096 bytes").contains(uri.toString());
  }

  @Test
  void acceptsABodyOfExactlyTheLimit() throws Exception {
    URI uri =
        answering(
            (out, request) -> {
              out.write(ascii(OK_HEADERS + "\r\n"));
              out.write(new byte[MAX_BYTES]);
            });

    assertThat(fetcher.fetch(uri, id)).hasSize(MAX_BYTES);
  }

  @Test
  void rejectsADeclaredContentLengthOverTheLimitWithoutWaitingForTheBody() throws Exception {
    URI uri =
        answering(
            (out, request) -> {
              out.write(ascii(OK_HEADERS + "Content-Length: 5000000\r\n\r\n"));
              out.flush();
              Thread.sleep(10_000);
            });

    long start = System.nanoTime();
    FetchException e = catchThrowableOfType(FetchException.class, () -> fetcher.fetch(uri, id));

    assertThat(e.kind()).isEqualTo(FetchException.Kind.TOO_LARGE);
    assertThat(e.getMessage()).contains("Content-Length 5000000");
    assertThat(System.nanoTime() - start).isLessThan(Duration.ofMillis(900).toNanos());
  }

  @Test
  void followsNoRedirectToAnotherScheme() throws Exception {
    URI uri =
        answering(
            (out, request) ->
                out.write(
                    ascii(
                        "HTTP/1.1 302 Found\r\nLocation: ftp://elsewhere.example.test/\r\n"
                            + "Content-Length: 0\r\nConnection: close\r\n\r\n")));

    FetchException e = catchThrowableOfType(FetchException.class, () -> fetcher.fetch(uri, id));

    assertThat(e.kind()).isEqualTo(FetchException.Kind.HTTP_STATUS);
    assertThat(e.getMessage())
        .contains("HTTP 302 redirecting to ftp://elsewhere.example.test/, not followed");
  }

  @Test
  void aRedirectWithoutLocationIsAFailure() throws Exception {
    URI uri =
        answering(
            (out, request) ->
                out.write(
                    ascii(
                        "HTTP/1.1 307 Temporary Redirect\r\n"
                            + "Content-Length: 0\r\nConnection: close\r\n\r\n")));

    FetchException e = catchThrowableOfType(FetchException.class, () -> fetcher.fetch(uri, id));

    assertThat(e.getMessage()).contains("answered HTTP 307 without a Location");
  }

  @Test
  void toleratesAMissingContentType() throws Exception {
    URI uri =
        answering(
            (out, request) -> {
              out.write(
                  ascii(
                      "HTTP/1.1 200 OK\r\nContent-Length: "
                          + BODY.length
                          + "\r\nConnection: close\r\n\r\n"));
              out.write(BODY);
            });

    assertThat(fetcher.fetch(uri, id)).isEqualTo(BODY);
  }

  @Test
  void rejectsAnAnswerThatIsNotHttp() throws Exception {
    URI uri = answering((out, request) -> out.write(ascii("SSH-2.0-OpenSSH_9.6\r\n\r\n")));

    FetchException e = catchThrowableOfType(FetchException.class, () -> fetcher.fetch(uri, id));

    assertThat(e.kind()).isEqualTo(FetchException.Kind.IO);
    assertThat(e.getMessage()).contains(uri.toString());
  }

  @Test
  void rejectsANonHttpUri() {
    FetchException e =
        catchThrowableOfType(
            FetchException.class, () -> fetcher.fetch(URI.create("ldap://ldap.example.test/"), id));

    assertThat(e.kind()).isEqualTo(FetchException.Kind.IO);
    assertThat(e.getMessage()).contains("ldap://ldap.example.test/").contains("not an http(s) URI");
  }
}
