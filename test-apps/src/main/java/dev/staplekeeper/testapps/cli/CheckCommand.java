package dev.staplekeeper.testapps.cli;

import dev.staplekeeper.testapps.checker.StapleChecker;
import dev.staplekeeper.testapps.checker.StapleVerdict;
import dev.staplekeeper.testapps.pki.Pem;
import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Set;

/** {@code check --host H --port N [--tls 1.2|1.3] [--pki DIR | --issuer F --trust F] [--watch]}. */
public final class CheckCommand implements Command {
  @Override
  public String name() {
    return "check";
  }

  @Override
  public String summary() {
    return "TLS-handshake a server with the JDK client and report its OCSP staple";
  }

  @Override
  public String help() {
    return """
        usage: check --port N [--host 127.0.0.1] [--tls 1.2|1.3]
                     (--pki DIR | --trust root.pem [--issuer intermediate.pem])
                     [--watch] [--count N] [--interval 1s] [--status-request both|v1|v2]

        Does a full TLS handshake (fresh SSLContext, no resumption) with the JDK client, sends
        GET /, and prints one line: protocol, handshake time, whether the leaf certificate's OCSP
        response was stapled and, if so, its status, certStatus, signer, thisUpdate, nextUpdate
        and seconds left. "valid=yes" means a client would accept it (successful, CertID
        matches, signed by the issuer or a delegated OCSP signer, thisUpdate not in the future,
        nextUpdate in the future).

          --host H           server host (default 127.0.0.1)
          --port N           server port
          --tls V            1.2 or 1.3 (default: both enabled, the server picks)
          --pki DIR          trust DIR/root.pem, check against DIR/intermediate.pem
          --trust FILE       PEM root to trust (instead of --pki)
          --issuer FILE      PEM issuer of the server certificate (default: the second
                             certificate the server sends)
          --watch            check once per interval until Ctrl-C or --count checks
          --count N          number of checks (implies --watch; default 1, or unlimited with
                             --watch)
          --interval D       time between checks with --watch (default 1s)
          --status-request S which ClientHello extensions to send: both (JDK default in TLS
                             1.2: status_request and status_request_v2), v1 (status_request
                             only) or v2 (status_request_v2 only; no stapling in TLS 1.3).
                             Sets jdk.tls.client.disableExtensions for this JVM.

        With more than one check a summary line follows: checks, stapled, valid, errors.
        Exit code: 0 if every check got a valid staple, 1 otherwise, 2 for a bad command line.
        """;
  }

  @Override
  public int run(String[] args) throws Exception {
    Options o =
        Options.parse(
            name(),
            args,
            Set.of(
                "host",
                "port",
                "tls",
                "pki",
                "trust",
                "issuer",
                "count",
                "interval",
                "status-request"),
            Set.of("watch"));
    String host = o.string("host", "127.0.0.1");
    int port = o.port("port", -1);
    if (port <= 0) {
      throw new UsageException("missing option --port");
    }
    String protocol = protocol(o.string("tls", null));
    X509Certificate trust;
    X509Certificate issuer;
    if (o.has("pki")) {
      if (o.has("trust") || o.has("issuer")) {
        throw new UsageException("--pki and --trust/--issuer exclude each other");
      }
      Path dir = o.path("pki");
      trust = read(dir.resolve("root.pem"));
      issuer = read(dir.resolve("intermediate.pem"));
    } else if (o.has("trust")) {
      trust = read(o.path("trust"));
      issuer = o.has("issuer") ? read(o.path("issuer")) : null;
    } else {
      throw new UsageException("give --pki DIR or --trust root.pem");
    }
    statusRequest(o.string("status-request", "both"));
    boolean watch = o.flag("watch") || o.has("count");
    int count = o.integer("count", watch ? Integer.MAX_VALUE : 1);
    if (count < 1) {
      throw new UsageException("--count must be at least 1");
    }
    Duration interval = o.duration("interval", Duration.ofSeconds(1));

    int stapled = 0;
    int valid = 0;
    int errors = 0;
    for (int i = 0; i < count; i++) {
      long start = System.nanoTime();
      try {
        StapleVerdict check = StapleChecker.check(host, port, protocol, issuer, trust);
        System.out.println(check.line());
        stapled += check.stapled() ? 1 : 0;
        valid += check.validStaple() ? 1 : 0;
      } catch (IOException e) {
        errors++;
        System.out.println(
            Instant.now().truncatedTo(ChronoUnit.MILLIS) + " error=" + e.getMessage());
      }
      System.out.flush();
      if (i + 1 < count) {
        long left = interval.toNanos() - (System.nanoTime() - start);
        if (left > 0) {
          Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
        }
      }
    }
    if (count > 1) {
      System.out.println(
          "checks=" + count + " stapled=" + stapled + " valid=" + valid + " errors=" + errors);
    }
    return valid == count ? 0 : 1;
  }

  private static X509Certificate read(Path file) {
    try {
      return Pem.readCertificate(file);
    } catch (IOException e) {
      throw new UsageException("cannot read certificate " + file + ": " + e.getMessage());
    }
  }

  static String protocol(String tls) {
    if (tls == null) {
      return null;
    }
    return switch (tls) {
      case "1.2", "TLSv1.2" -> "TLSv1.2";
      case "1.3", "TLSv1.3" -> "TLSv1.3";
      default -> throw new UsageException("--tls must be 1.2 or 1.3, not '" + tls + "'");
    };
  }

  private static void statusRequest(String which) {
    String disable =
        switch (which) {
          case "both" -> null;
          case "v1" -> "status_request_v2";
          case "v2" -> "status_request";
          default ->
              throw new UsageException(
                  "--status-request must be both, v1 or v2, not '" + which + "'");
        };
    if (disable != null) {
      String existing = System.getProperty("jdk.tls.client.disableExtensions");
      System.setProperty(
          "jdk.tls.client.disableExtensions",
          existing == null || existing.isBlank() ? disable : existing + "," + disable);
    }
  }
}
