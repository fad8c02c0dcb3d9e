package dev.staplekeeper.testapps.responder;

import dev.staplekeeper.testapps.ocsp.OcspResponseFactory.Signer;
import dev.staplekeeper.testapps.time.Durations;
import java.io.Closeable;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

/**
 * The HTTP control endpoint of an {@link OcspResponder} run as a process: {@code GET /mode}, {@code
 * /mode?set=MODE}, {@code /count}, {@code /count?reset}, {@code /signer?set=S}, {@code
 * /validity?set=D}, {@code /slow?set=D}, {@code /raw?set=BASE64} (or {@code POST /raw} with the
 * bytes as body), {@code /shutdown}. Answers are one line of text; errors are HTTP 400. Durations
 * are {@link Durations}.
 */
public final class ResponderControl implements Closeable {
  private static final int READ_TIMEOUT_MILLIS = 5000;

  private final OcspResponder responder;
  private final Runnable onShutdown;
  private final HttpServer http;

  private ResponderControl(OcspResponder responder, HttpServer http, Runnable onShutdown) {
    this.responder = responder;
    this.onShutdown = onShutdown;
    this.http = http;
  }

  /** Starts the endpoint on 127.0.0.1:{@code port} (0 = any free port). */
  public static ResponderControl start(OcspResponder responder, int port, Runnable onShutdown)
      throws IOException {
    HttpServer http;
    try {
      http = HttpServer.bind("ocsp-responder-control", port, READ_TIMEOUT_MILLIS);
    } catch (IOException e) {
      throw new IOException("cannot bind control port " + port + ": " + e.getMessage(), e);
    }
    ResponderControl control = new ResponderControl(responder, http, onShutdown);
    http.start(
        ex -> {
          String text;
          int status = 200;
          try {
            text = control.handle(ex.request());
          } catch (RuntimeException e) {
            status = 400;
            text = "error: " + e.getMessage();
          }
          ex.respond(
              status, "text/plain; charset=utf-8", (text + "\n").getBytes(StandardCharsets.UTF_8));
        });
    return control;
  }

  public int port() {
    return http.port();
  }

  @Override
  public void close() {
    http.close();
  }

  private String handle(HttpRequest req) {
    String path = req.path();
    String set = param(req, "set");
    switch (path) {
      case "/mode" -> {
        if (set != null) {
          responder.mode(FaultMode.parse(set));
        }
        return responder.mode().cliName();
      }
      case "/count" -> {
        int n = responder.requestCount();
        if (req.target().contains("?reset")) {
          responder.resetCount();
        }
        return Integer.toString(n);
      }
      case "/signer" -> {
        if (set != null) {
          responder.signer(parseSigner(set));
        }
        return responder.signer().name().toLowerCase(Locale.ROOT);
      }
      case "/validity" -> {
        if (set != null) {
          responder.validity(Durations.parse(set));
        }
        return responder.validity().toSeconds() + "s";
      }
      case "/slow" -> {
        if (set != null) {
          responder.slowDelay(Durations.parse(set));
        }
        return "ok";
      }
      case "/raw" -> {
        byte[] body = req.method().equals("POST") ? req.body() : null;
        if (set != null) {
          body = decodeBase64(set);
        }
        if (body != null) {
          responder.serveRaw(body);
        }
        return "raw " + responder.raw().length + " bytes";
      }
      case "/shutdown" -> {
        onShutdown.run();
        return "bye";
      }
      default -> throw new IllegalArgumentException("unknown control path " + path);
    }
  }

  /** {@code delegated} or {@code issuer}. */
  public static Signer parseSigner(String text) {
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "delegated" -> Signer.DELEGATED;
      case "issuer" -> Signer.ISSUER;
      default ->
          throw new IllegalArgumentException(
              "signer must be delegated or issuer, not '" + text + "'");
    };
  }

  private static byte[] decodeBase64(String text) {
    String t = text.trim().replace(' ', '+');
    try {
      return Base64.getDecoder().decode(t);
    } catch (IllegalArgumentException e) {
      try {
        return Base64.getUrlDecoder().decode(t);
      } catch (IllegalArgumentException e2) {
        throw new IllegalArgumentException("not base64: '" + text + "'");
      }
    }
  }

  private static String param(HttpRequest req, String name) {
    String target = req.target();
    int q = target.indexOf('?');
    if (q < 0) {
      return null;
    }
    for (String kv : target.substring(q + 1).split("&")) {
      if (kv.startsWith(name + "=")) {
        return URLDecoder.decode(kv.substring(name.length() + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }
}
