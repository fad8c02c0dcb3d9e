package dev.staplekeeper.agent;

import dev.staplekeeper.agent.ocsp.CertId;
import dev.staplekeeper.agent.ocsp.OcspFetcher;
import dev.staplekeeper.agent.ocsp.ResponderUris;
import dev.staplekeeper.agent.ocsp.ValidatedResponse;
import dev.staplekeeper.agent.staple.StapleService;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;

/**
 * Warms the code of a certificate's first fetch right after the start, so that the application's
 * first certificate does not pay for it while its first handshake waits: StapleKeeper's classes of
 * that path (ASN.1, validation, HTTP), loaded from the agent jar, verified and interpreted, cost a
 * cold JVM tens of milliseconds (docs/benchmarks.md, start-up), which the JDK's own classes
 * (archived, not verified) do not.
 *
 * <p>Contract: rehearses with a fixed certificate, its issuer and a good OCSP response signed by a
 * delegated responder, bundled in the jar ({@code warmup/*.der}, made with the test PKI), validated
 * at the time they were made: the request encoding and an unconnected HTTP connection ({@link
 * OcspFetcher#rehearse}), then the responder lookup, issuer check, CertID and validation ({@link
 * StapleService#rehearse}). No network I/O, nothing kept in the service, nothing logged
 * (java.util.logging is left alone until the application has had the chance to configure it), never
 * throws: a warm-up that fails costs the first fetch its cold start, nothing more.
 */
final class FetchPathWarmup {
  /** One second after the bundled response's thisUpdate: when it is valid. */
  static final Instant MADE_AT = Instant.parse("2026-12-02T12:11:48Z");

  private FetchPathWarmup() {}

  /** Returns the rehearsed response, or null when the warm-up failed. */
  static ValidatedResponse run(StapleService service) {
    try {
      CertificateFactory x509 = CertificateFactory.getInstance("X.509");
      X509Certificate cert = certificate(x509, "certificate.der");
      X509Certificate issuer = certificate(x509, "issuer.der");
      OcspFetcher.rehearse(ResponderUris.ocspUris(cert).get(0), CertId.of(cert, issuer));
      return service.rehearse(cert, issuer, resource("response.der"), MADE_AT);
    } catch (Exception | LinkageError e) {
      // Not logged: it runs before the application may have configured java.util.logging.
      return null;
    }
  }

  private static X509Certificate certificate(CertificateFactory x509, String name)
      throws Exception {
    return (X509Certificate) x509.generateCertificate(new ByteArrayInputStream(resource(name)));
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = FetchPathWarmup.class.getResourceAsStream("warmup/" + name)) {
      if (in == null) {
        throw new IOException("warmup/" + name + " is missing from the agent jar");
      }
      return in.readAllBytes();
    }
  }
}
