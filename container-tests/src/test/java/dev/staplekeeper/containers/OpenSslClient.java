package dev.staplekeeper.containers;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code openssl s_client -connect 127.0.0.1:PORT -status -servername localhost}: asks for a staple
 * (status_request) and prints it. s_client does not check the response's signature; the gnutls and
 * JDK clients do.
 */
final class OpenSslClient {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  // ASN1_TIME_print: "Nov 25 15:00:32 2026 GMT", day padded with a space
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss yyyy 'GMT'", Locale.ENGLISH);

  private OpenSslClient() {}

  /**
   * The command, as docs/operations.md shows it; {@code tls} is {@code -tls1_3} or {@code -tls1_2}.
   */
  static List<String> command(int port, Path rootPem, String tls) {
    List<String> command = new ArrayList<>();
    command.addAll(
        List.of(
            "openssl",
            "s_client",
            "-connect",
            "127.0.0.1:" + port,
            "-status",
            "-servername",
            "localhost",
            "-CAfile",
            rootPem.toString(),
            "-verify_return_error"));
    if (tls != null) {
      command.add(tls);
    }
    return command;
  }

  static Observation handshake(int port, Path rootPem, String tls) throws IOException {
    Command.Result result = Command.run(command(port, rootPem, tls), TIMEOUT);
    return parse("openssl" + (tls == null ? "" : " " + tls), result);
  }

  static Observation parse(String client, Command.Result result) {
    String out = result.output();
    boolean handshakeOk = result.exitCode() == 0 && out.contains("Verify return code: 0 (ok)");
    boolean stapled = out.contains("OCSP Response Data:");
    return new Observation(
        client,
        handshakeOk,
        stapled,
        find(out, "OCSP Response Status: (\\S+)"),
        find(out, "Cert Status: (\\S+)"),
        time(find(out, "This Update: (.+)")),
        time(find(out, "Next Update: (.+)")),
        null,
        result.elapsed(),
        out);
  }

  private static String find(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    return m.find() ? m.group(1).trim() : null;
  }

  static Instant time(String text) {
    return text == null ? null : LocalDateTime.parse(text.trim(), TIME).toInstant(ZoneOffset.UTC);
  }
}
