package dev.staplekeeper.testapps.responder;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/** A plain HttpURLConnection OCSP client, as the JDK's own OCSP code talks to a responder. */
final class OcspClient {
  record Reply(int status, String contentType, byte[] body) {}

  private OcspClient() {}

  static Reply post(URI url, byte[] request, Duration timeout) throws IOException {
    HttpURLConnection c = (HttpURLConnection) url.toURL().openConnection();
    c.setConnectTimeout((int) timeout.toMillis());
    c.setReadTimeout((int) timeout.toMillis());
    c.setDoOutput(true);
    c.setRequestMethod("POST");
    c.setRequestProperty("Content-Type", "application/ocsp-request");
    c.setFixedLengthStreamingMode(request.length);
    try (OutputStream out = c.getOutputStream()) {
      out.write(request);
    }
    return reply(c);
  }

  /** GET with the request base64- and URL-encoded, as sun.security.provider.certpath.OCSP does. */
  static Reply get(URI url, byte[] request, Duration timeout) throws IOException {
    String encoded =
        URLEncoder.encode(Base64.getEncoder().encodeToString(request), StandardCharsets.UTF_8);
    HttpURLConnection c =
        (HttpURLConnection) URI.create(url + "/" + encoded).toURL().openConnection();
    c.setConnectTimeout((int) timeout.toMillis());
    c.setReadTimeout((int) timeout.toMillis());
    return reply(c);
  }

  private static Reply reply(HttpURLConnection c) throws IOException {
    int status = c.getResponseCode();
    InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
    byte[] body = in == null ? new byte[0] : in.readAllBytes();
    c.disconnect();
    return new Reply(status, c.getContentType(), body);
  }
}
