package dev.staplekeeper.agent.staple;

import dev.staplekeeper.agent.ocsp.ValidatedResponse;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Arrays;

/**
 * A stored response that passed validation after a restart, waiting for the server to present its
 * certificate. Nothing from the file but the validated response is ever used: the certificate in
 * the file only has to equal the live one, and the responder always comes from the live
 * certificate.
 */
final class StoredResponse {
  final ResponseStore.Stored stored;
  final ValidatedResponse response;

  StoredResponse(ResponseStore.Stored stored, ValidatedResponse response) {
    this.stored = stored;
    this.response = response;
  }

  /** True when {@code fromFile} is byte for byte the certificate {@code live}. */
  static boolean sameCertificate(X509Certificate fromFile, X509Certificate live) {
    try {
      return Arrays.equals(fromFile.getEncoded(), live.getEncoded());
    } catch (CertificateEncodingException e) {
      return false;
    }
  }
}
