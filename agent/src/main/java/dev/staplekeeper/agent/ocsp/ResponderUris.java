package dev.staplekeeper.agent.ocsp;

import dev.staplekeeper.agent.asn1.Tlv;
import dev.staplekeeper.agent.log.AgentLog;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Where to ask for a certificate's OCSP status: the certificate's Authority Information Access
 * (id-ad-ocsp) or a configured responder, with the semantics of the JDK's {@code
 * jdk.tls.stapling.responderURI} and {@code jdk.tls.stapling.responderOverride}.
 */
public final class ResponderUris {
  private static final AgentLog LOG = AgentLog.get(ResponderUris.class);
  private static final String AUTHORITY_INFO_ACCESS = "1.3.6.1.5.5.7.1.1";

  /** GeneralName uniformResourceIdentifier: {@code [6] IMPLICIT IA5String}. */
  private static final int URI_NAME = Tlv.CONTEXT | 6;

  private ResponderUris() {}

  /**
   * The responder to ask for {@code cert}'s status.
   *
   * @param cert the certificate whose status is wanted
   * @param configuredResponder the configured responder, or null when none is configured
   * @param override when true, {@code configuredResponder} (if not null) is used even when the
   *     certificate names a responder
   * @return the first http(s) id-ad-ocsp URI in the AIA extension, unless {@code override}; else
   *     {@code configuredResponder}; empty when neither exists. A malformed AIA extension counts as
   *     absent (the configured responder is used if there is one); nothing is thrown.
   */
  public static Optional<URI> responderFor(
      X509Certificate cert, URI configuredResponder, boolean override) {
    if (override && configuredResponder != null) {
      return Optional.of(configuredResponder);
    }
    List<URI> fromCert = ocspUris(cert);
    if (!fromCert.isEmpty()) {
      return Optional.of(fromCert.get(0));
    }
    return Optional.ofNullable(configuredResponder);
  }

  /**
   * The http(s) OCSP responder URIs in {@code cert}'s AIA extension, in order; empty when the
   * extension is absent, malformed or names none.
   */
  public static List<URI> ocspUris(X509Certificate cert) {
    byte[] extension;
    try {
      extension = cert.getExtensionValue(AUTHORITY_INFO_ACCESS);
    } catch (RuntimeException e) {
      return Collections.emptyList();
    }
    if (extension == null) {
      return Collections.emptyList();
    }
    try {
      List<URI> uris = new ArrayList<>();
      for (Tlv access :
          Tlv.parseExtensionValue(extension, "authorityInfoAccess")
              .children(Tlv.SEQUENCE, "authorityInfoAccess")) {
        List<Tlv> fields = access.children(Tlv.SEQUENCE, "AccessDescription");
        if (fields.size() != 2
            || !OcspOids.ACCESS_METHOD.equals(fields.get(0).oid("accessMethod"))) {
          continue;
        }
        Tlv location = fields.get(1);
        if (location.tag() != URI_NAME) {
          continue;
        }
        URI uri = httpUri(new String(location.octets("URI"), StandardCharsets.US_ASCII));
        if (uri != null) {
          uris.add(uri);
        }
      }
      return uris;
    } catch (Exception e) {
      // A malformed extension must never break stapling set-up; treat it as absent.
      LOG.debug(
          "ignoring malformed authorityInfoAccess in certificate {}: {}",
          cert.getSubjectX500Principal(),
          e.toString());
      return Collections.emptyList();
    }
  }

  private static URI httpUri(String text) {
    try {
      URI uri = new URI(text.trim());
      String scheme = uri.getScheme();
      if (scheme == null || uri.getHost() == null) {
        return null;
      }
      String lower = scheme.toLowerCase(Locale.ROOT);
      return lower.equals("http") || lower.equals("https") ? uri : null;
    } catch (URISyntaxException e) {
      return null;
    }
  }
}
