package dev.staplekeeper.testapps.responder;

import static org.assertj.core.api.Assertions.assertThat;

import dev.staplekeeper.testapps.ocsp.OcspResponseFactory.Signer;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResponderControlTest {
  @TempDir Path dir;

  @Test
  void switchesModesCountsAndShutsDown() throws Exception {
    CountDownLatch shutdown = new CountDownLatch(1);
    try (OcspResponder responder =
            OcspResponder.startWithNewPki(dir, false, Duration.ofMinutes(2));
        ResponderControl control = ResponderControl.start(responder, 0, shutdown::countDown)) {
      int port = control.port();
      assertThat(get(port, "/mode")).isEqualTo("200 healthy");
      assertThat(get(port, "/mode?set=try-later")).isEqualTo("200 try-later");
      assertThat(responder.mode()).isEqualTo(FaultMode.TRY_LATER);
      assertThat(get(port, "/mode?set=nonsense")).startsWith("400 error: unknown fault mode");
      assertThat(responder.mode()).isEqualTo(FaultMode.TRY_LATER);

      OcspClient.post(
          responder.url(),
          new dev.staplekeeper.testapps.ocsp.OcspResponseFactory(responder.pki())
              .request(null, responder.pki().server()),
          Duration.ofSeconds(5));
      assertThat(get(port, "/count")).isEqualTo("200 1");
      assertThat(get(port, "/count?reset")).isEqualTo("200 1");
      assertThat(get(port, "/count")).isEqualTo("200 0");

      assertThat(get(port, "/signer?set=issuer")).isEqualTo("200 issuer");
      assertThat(responder.signer()).isEqualTo(Signer.ISSUER);
      assertThat(get(port, "/validity?set=45s")).isEqualTo("200 45s");
      assertThat(responder.validity()).isEqualTo(Duration.ofSeconds(45));
      assertThat(get(port, "/validity?set=soon")).startsWith("400");

      assertThat(shutdown.getCount()).isEqualTo(1);
      assertThat(get(port, "/shutdown")).isEqualTo("200 bye");
      assertThat(shutdown.await(1, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void takesEveryDurationTheCommandLineTakesAndServesRawBytes() throws Exception {
    try (OcspResponder responder =
            OcspResponder.startWithNewPki(dir, false, Duration.ofMinutes(2));
        ResponderControl control = ResponderControl.start(responder, 0, () -> {})) {
      int port = control.port();
      assertThat(get(port, "/validity?set=1d")).isEqualTo("200 86400s");
      assertThat(get(port, "/validity?set=PT90S")).isEqualTo("200 90s");

      byte[] crafted = {0x30, 0x03, 0x0a, 0x01, 0x06}; // OCSPResponse unauthorized, hand made
      String b64 = java.util.Base64.getEncoder().encodeToString(crafted);
      assertThat(get(port, "/raw?set=" + java.net.URLEncoder.encode(b64, StandardCharsets.UTF_8)))
          .isEqualTo("200 raw 5 bytes");
      assertThat(responder.mode()).isEqualTo(FaultMode.RAW);
      OcspClient.Reply reply =
          OcspClient.post(
              responder.url(),
              new dev.staplekeeper.testapps.ocsp.OcspResponseFactory(responder.pki())
                  .request(null, responder.pki().server()),
              Duration.ofSeconds(5));
      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.contentType()).isEqualTo("application/ocsp-response");
      assertThat(reply.body()).containsExactly(crafted);
      assertThat(get(port, "/raw?set=ab!c")).startsWith("400 error: not base64");
    }
  }

  private static String get(int port, String path) throws IOException {
    HttpURLConnection c =
        (HttpURLConnection) URI.create("http://127.0.0.1:" + port + path).toURL().openConnection();
    c.setConnectTimeout(2000);
    c.setReadTimeout(5000);
    int status = c.getResponseCode();
    var in = status >= 400 ? c.getErrorStream() : c.getInputStream();
    return status + " " + new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
  }
}
