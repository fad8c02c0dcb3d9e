package dev.staplekeeper.testapps.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Set;

/** {@code responder-ctl --control-port M <mode>|mode|count|reset-count|shutdown}. */
public final class ResponderCtlCommand implements Command {
  @Override
  public String name() {
    return "responder-ctl";
  }

  @Override
  public String summary() {
    return "switch a running responder's fault mode, read its request count";
  }

  @Override
  public String help() {
    return """
        usage: responder-ctl --control-port M [--host 127.0.0.1] COMMAND

        Talks to the control endpoint of a running 'responder' and prints its answer.
          MODE            switch to a fault mode (healthy, down, hang, unauthorized, ...;
                          'responder --help' lists them)
          mode            print the current mode
          count           print the number of requests since start or the last reset
          reset-count     print the count and reset it to 0
          signer=S        switch the signer (delegated or issuer)
          validity=D      change the validity of good responses (e.g. 60s)
          slow=D          change the delay of the slow mode
          raw=BASE64      serve exactly these bytes (e.g. crafted DER, up to 64 KiB) from now
                          on: switches to the mode raw
          raw-file=FILE   the same with the bytes of FILE
          shutdown        stop the responder process
        Exit code 1 when the responder answers an error or cannot be reached.
        """;
  }

  @Override
  public int run(String[] args) throws Exception {
    Options o = Options.parse(name(), args, Set.of("control-port", "host"), Set.of());
    int port = o.port("control-port", -1);
    if (port <= 0) {
      throw new UsageException("missing option --control-port");
    }
    List<String> pos = o.positional();
    if (pos.size() != 1) {
      throw new UsageException("expected exactly one command (a mode, mode, count, ...)");
    }
    byte[] raw = rawBody(pos.get(0));
    String path = raw != null ? "/raw" : path(pos.get(0));
    URI uri = URI.create("http://" + o.string("host", "127.0.0.1") + ":" + port + path);
    try {
      HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
      c.setConnectTimeout(5000);
      c.setReadTimeout(10000);
      if (raw != null) {
        c.setRequestMethod("POST");
        c.setDoOutput(true);
        c.setFixedLengthStreamingMode(raw.length);
        try (OutputStream body = c.getOutputStream()) {
          body.write(raw);
        }
      }
      int status = c.getResponseCode();
      InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
      String body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
      System.out.print(body);
      return status == 200 ? 0 : 1;
    } catch (IOException e) {
      System.err.println("error: cannot reach the responder control port " + port + ": " + e);
      return 1;
    }
  }

  static String path(String command) {
    int eq = command.indexOf('=');
    if (eq > 0) {
      String key = command.substring(0, eq);
      if (!Set.of("signer", "validity", "slow", "mode").contains(key)) {
        throw new UsageException("unknown setting '" + key + "'");
      }
      return "/" + key + "?set=" + enc(command.substring(eq + 1));
    }
    return switch (command) {
      case "mode" -> "/mode";
      case "count" -> "/count";
      case "reset-count" -> "/count?reset";
      case "shutdown" -> "/shutdown";
      default -> "/mode?set=" + enc(command);
    };
  }

  /** The bytes of {@code raw=BASE64} or {@code raw-file=FILE}, or null for other commands. */
  static byte[] rawBody(String command) {
    if (command.startsWith("raw=")) {
      try {
        return Base64.getDecoder().decode(command.substring(4));
      } catch (IllegalArgumentException e) {
        throw new UsageException("raw= needs base64: " + e.getMessage());
      }
    }
    if (command.startsWith("raw-file=")) {
      Path file = Path.of(command.substring(9));
      try {
        return Files.readAllBytes(file);
      } catch (IOException e) {
        throw new UsageException("cannot read " + file + ": " + e);
      }
    }
    return null;
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
