package dev.staplekeeper.testapps.responder;

import dev.staplekeeper.testapps.ocsp.OcspResponseFactory.Signer;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A tiny HTTP control endpoint for an {@link OcspResponder} run as a process: {@code GET /mode},
 * {@code /mode?set=MODE}, {@code /count}, {@code /count?reset}, {@code /signer?set=S}, {@code
 * /validity?set=D}, {@code /slow?set=D}, {@code /shutdown}. Answers are one line of text; errors
 * are HTTP 400. Requests are handled one at a time on a single daemon thread.
 */
public final class ResponderControl implements Closeable {
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)?");

  private final OcspResponder responder;
  private final Runnable onShutdown;
  private final ServerSocket listener;

  private ResponderControl(OcspResponder responder, int port, Runnable onShutdown)
      throws IOException {
    this.responder = responder;
    this.onShutdown = onShutdown;
    this.listener = new ServerSocket();
    listener.setReuseAddress(true);
    try {
      listener.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 16);
    } catch (IOException e) {
      listener.close();
      throw new IOException("cannot bind control port " + port + ": " + e.getMessage(), e);
    }
  }

  /** Starts the endpoint on 127.0.0.1:{@code port} (0 = any free port). */
  public static ResponderControl start(OcspResponder responder, int port, Runnable onShutdown)
      throws IOException {
    ResponderControl control = new ResponderControl(responder, port, onShutdown);
    Thread t = new Thread(control::loop, "ocsp-responder-control-" + control.port());
    t.setDaemon(true);
    t.start();
    return control;
  }

  public int port() {
    return listener.getLocalPort();
  }

  @Override
  public void close() throws IOException {
    listener.close();
  }

  private void loop() {
    while (!listener.isClosed()) {
      try (Socket s = listener.accept()) {
        s.setSoTimeout(5000);
        HttpRequest req = HttpRequest.read(s.getInputStream(), s.getOutputStream());
        if (req == null) {
          continue;
        }
        String text;
        int status = 200;
        try {
          text = handle(req);
        } catch (RuntimeException e) {
          status = 400;
          text = "error: " + e.getMessage();
        }
        write(s.getOutputStream(), status, text);
      } catch (IOException e) {
        // listener closed, or a broken control client: keep serving
      }
    }
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
          responder.validity(parseDuration(set));
        }
        return responder.validity().toSeconds() + "s";
      }
      case "/slow" -> {
        if (set != null) {
          responder.slowDelay(parseDuration(set));
        }
        return "ok";
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

  private static Duration parseDuration(String text) {
    Matcher m = DURATION.matcher(text.trim());
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      String unit = m.group(2) == null ? "s" : m.group(2);
      return switch (unit) {
        case "ms" -> Duration.ofMillis(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofSeconds(n);
      };
    }
    try {
      return Duration.parse(text);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("not a duration: '" + text + "'");
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

  private static void write(OutputStream out, int status, String text) throws IOException {
    byte[] body = (text + "\n").getBytes(StandardCharsets.UTF_8);
    String head =
        "HTTP/1.1 "
            + status
            + (status == 200 ? " OK" : " Bad Request")
            + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
            + body.length
            + "\r\nConnection: close\r\n\r\n";
    out.write(head.getBytes(StandardCharsets.US_ASCII));
    out.write(body);
    out.flush();
  }
}
