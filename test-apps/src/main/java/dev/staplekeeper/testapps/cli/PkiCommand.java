package dev.staplekeeper.testapps.cli;

import dev.staplekeeper.testapps.pki.TestPki;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Set;

/** {@code pki --dir DIR --ocsp-url URL [--must-staple]}. */
public final class PkiCommand implements Command {
  @Override
  public String name() {
    return "pki";
  }

  @Override
  public String summary() {
    return "create a test PKI (root, intermediate, OCSP signers, localhost server cert)";
  }

  @Override
  public String help() {
    return """
        usage: pki --dir DIR --ocsp-url URL [--must-staple]

        Creates a test PKI in DIR (created if missing, files overwritten): EC P-256 root CA,
        intermediate CA, delegated OCSP signer (id-kp-OCSPSigning + ocsp-nocheck), a delegated
        signer without that EKU, an unrelated rogue CA, and a CN=localhost server certificate
        (SAN localhost + 127.0.0.1) whose AIA OCSP URL is URL. Valid from 1 h ago for 30 days.

          --dir DIR        where to write the files
          --ocsp-url URL   OCSP URL for the server certificate, e.g. http://127.0.0.1:8888/ocsp
          --must-staple    add the TLS Feature (status_request) extension to the server cert

        Files: root.pem intermediate.pem server.pem server-key.pem chain.pem server.p12
        truststore.p12 ocsp-signer.pem ocsp-signer-key.pem intermediate-key.pem rogue.pem
        index.txt and root/intermediate/ocsp-signer/ocsp-signer-no-eku/rogue .p12 keystores.
        Keystore password: changeit; server.p12 alias: server.
        """;
  }

  @Override
  public int run(String[] args) throws Exception {
    Options o = Options.parse(name(), args, Set.of("dir", "ocsp-url"), Set.of("must-staple"));
    Path dir = o.path("dir");
    URI url = httpUrl(o.required("ocsp-url"), "--ocsp-url");
    TestPki pki = TestPki.create(dir, url, o.flag("must-staple"));
    System.out.println(
        "PKI in "
            + dir.toAbsolutePath()
            + ": server serial "
            + pki.server().getSerialNumber().toString(16)
            + ", ocsp "
            + url
            + (pki.mustStaple() ? ", must-staple" : ""));
    return 0;
  }

  static URI httpUrl(String text, String option) {
    try {
      URI u = new URI(text);
      if (!"http".equals(u.getScheme()) || u.getHost() == null) {
        throw new UsageException(option + " must be an http:// URL, not '" + text + "'");
      }
      return u;
    } catch (URISyntaxException e) {
      throw new UsageException(option + " is not a URL: '" + text + "'");
    }
  }
}
