package dev.staplekeeper.containers;

import java.io.IOException;
import java.nio.file.Files;
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
 * {@code gnutls-cli --ocsp}: asks for a staple, verifies a stapled response (signature, CertID,
 * validity) as part of the certificate check and prints it with {@code -V}. Without a staple,
 * {@code --ocsp} makes gnutls-cli query the responder itself; {@code --save-ocsp} tells the two
 * cases apart (the file stays empty when nothing was stapled).
 */
final class GnutlsClient {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  // "Wed Nov 25 15:00:00 UTC 2026"
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("EEE MMM dd HH:mm:ss 'UTC' yyyy", Locale.ENGLISH);

  private GnutlsClient() {}

  /**
   * Whether gnutls-cli can be run. Missing on a developer machine, its checks are skipped; in CI
   * ({@code CI} set, where .ci/run installs gnutls-bin) a missing gnutls-cli is an error.
   */
  static boolean installed() {
    boolean installed;
    try {
      installed =
          Command.run(List.of("gnutls-cli", "--version"), Duration.ofSeconds(10)).exitCode() == 0;
    } catch (IOException e) {
      installed = false;
    }
    if (!installed && System.getenv("CI") != null) {
      throw new IllegalStateException("gnutls-cli not found; .ci/run installs package gnutls-bin");
    }
    return installed;
  }

  /**
   * The command, as docs/operations.md shows it; {@code priority} such as {@code
   * NORMAL:-VERS-TLS1.3} forces TLS 1.2, null leaves the default.
   */
  static List<String> command(int port, Path rootPem, Path saveOcsp, String priority) {
    List<String> command = new ArrayList<>();
    command.addAll(
        List.of(
            "gnutls-cli",
            "-V",
            "--x509cafile=" + rootPem,
            "--sni-hostname=localhost",
            "--verify-hostname=localhost",
            "--ocsp",
            "--save-ocsp=" + saveOcsp,
            "--port=" + port));
    if (priority != null) {
      command.add("--priority=" + priority);
    }
    command.add("127.0.0.1");
    return command;
  }

  static Observation handshake(int port, Path rootPem, String priority) throws IOException {
    Path saved = Files.createTempFile("staplekeeper-gnutls", ".der");
    try {
      Command.Result result = Command.run(command(port, rootPem, saved, priority), TIMEOUT);
      return parse(
          "gnutls-cli" + (priority == null ? "" : " " + priority), result, Files.size(saved) > 0);
    } finally {
      Files.deleteIfExists(saved);
    }
  }

  static Observation parse(String client, Command.Result result, boolean saved) {
    String out = result.output();
    boolean handshakeOk =
        result.exitCode() == 0
            && out.contains("Status: The certificate is trusted.")
            && out.contains("Handshake was completed");
    boolean stapled = saved && out.contains("OCSP Response Information:");
    String responseStatus = find(out, "Response Status: (\\S+)");
    return new Observation(
        client,
        handshakeOk,
        stapled,
        responseStatus,
        find(out, "Certificate Status: (\\S+)"),
        time(find(out, "This Update: (.+)")),
        time(find(out, "Next Update: (.+)")),
        stapled ? handshakeOk : null,
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
