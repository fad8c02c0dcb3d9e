package dev.staplekeeper.agent.ocsp;

import dev.staplekeeper.agent.asn1.Asn1Exception;
import dev.staplekeeper.agent.asn1.Der;
import dev.staplekeeper.agent.asn1.Tlv;
import java.io.IOException;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Verifies an OCSP response signature with the JDK's own {@link Signature} implementations, chosen
 * by the signatureAlgorithm's OID: RSA PKCS#1 v1.5, RSASSA-PSS (parameters taken from the
 * identifier, RFC 4055 defaults when absent), ECDSA, Ed25519/Ed448 and DSA, each with SHA-1 or the
 * SHA-2 family where defined. No provider is ever registered.
 *
 * <p>Contract: {@link #unsupported} names why an identifier cannot be used (unknown OID, parameters
 * where none are allowed), else null; {@link #verifies} is false for a bad signature, a key of the
 * wrong type and parameters the JDK refuses, and never throws for them.
 */
final class ResponseSignature {
  private static final String RSASSA_PSS = "1.2.840.113549.1.1.10";

  /** RFC 4055: absent parameters mean SHA-1, MGF1 with SHA-1, 20 bytes of salt. */
  private static final PSSParameterSpec RFC_4055_DEFAULT =
      new PSSParameterSpec("SHA-1", "MGF1", MGF1ParameterSpec.SHA1, 20, 1);

  /** OID to JDK name, for the algorithms whose parameters are absent (or NULL for RSA). */
  private static final Map<String, String> NAMES = new HashMap<>();

  /** The subset of {@link #NAMES} whose identifiers may carry NULL parameters (RFC 4055). */
  private static final Map<String, String> NULL_PARAMETERS_ALLOWED = new HashMap<>();

  static {
    rsa("1.2.840.113549.1.1.5", "SHA1withRSA");
    rsa("1.2.840.113549.1.1.14", "SHA224withRSA");
    rsa("1.2.840.113549.1.1.11", "SHA256withRSA");
    rsa("1.2.840.113549.1.1.12", "SHA384withRSA");
    rsa("1.2.840.113549.1.1.13", "SHA512withRSA");
    NAMES.put("1.2.840.10045.4.1", "SHA1withECDSA");
    NAMES.put("1.2.840.10045.4.3.1", "SHA224withECDSA");
    NAMES.put("1.2.840.10045.4.3.2", "SHA256withECDSA");
    NAMES.put("1.2.840.10045.4.3.3", "SHA384withECDSA");
    NAMES.put("1.2.840.10045.4.3.4", "SHA512withECDSA");
    NAMES.put("1.3.101.112", "Ed25519");
    NAMES.put("1.3.101.113", "Ed448");
    NAMES.put("1.2.840.10040.4.3", "SHA1withDSA");
    NAMES.put("2.16.840.1.101.3.4.3.1", "SHA224withDSA");
    NAMES.put("2.16.840.1.101.3.4.3.2", "SHA256withDSA");
  }

  private static void rsa(String oid, String name) {
    NAMES.put(oid, name);
    NULL_PARAMETERS_ALLOWED.put(oid, name);
  }

  private final String oid;
  private final Tlv parameters;

  private ResponseSignature(String oid, Tlv parameters) {
    this.oid = oid;
    this.parameters = parameters;
  }

  /**
   * The signature of {@code algorithm} (an AlgorithmIdentifier).
   *
   * @throws Asn1Exception when it is not an AlgorithmIdentifier
   */
  static ResponseSignature of(Tlv algorithm) throws Asn1Exception {
    List<Tlv> fields = algorithm.children(Tlv.SEQUENCE, "signatureAlgorithm");
    if (fields.isEmpty() || fields.size() > 2) {
      throw new Asn1Exception("signatureAlgorithm has " + fields.size() + " fields; expected 1-2");
    }
    return new ResponseSignature(
        fields.get(0).oid("signatureAlgorithm"), fields.size() == 2 ? fields.get(1) : null);
  }

  /** Why this algorithm cannot be verified, or null when it can. */
  String unsupported() {
    if (oid.equals(RSASSA_PSS)) {
      return null;
    }
    if (!NAMES.containsKey(oid)) {
      return "signature algorithm "
          + oid
          + " is not supported (expected RSA, RSASSA-PSS, ECDSA, EdDSA or DSA)";
    }
    if (parameters != null && !(parameters.isNull() && NULL_PARAMETERS_ALLOWED.containsKey(oid))) {
      return "signature algorithm " + NAMES.get(oid) + " (" + oid + ") carries parameters";
    }
    return null;
  }

  /**
   * The AlgorithmIdentifier to staple, in its one canonical form: NULL parameters for RSA PKCS#1
   * v1.5 (RFC 4055 section 5: they MUST be NULL, and absent must be accepted), none for ECDSA,
   * EdDSA and DSA, and the received parameters in DER for RSASSA-PSS (they say how the signature
   * was made). The identifier is outside the signed bytes, so what came on the wire is not kept.
   */
  byte[] canonicalIdentifier() throws Asn1Exception {
    if (oid.equals(RSASSA_PSS)) {
      return parameters == null
          ? Der.sequence(Der.oid(oid))
          : Der.sequence(Der.oid(oid), Der.reencode(parameters));
    }
    if (NULL_PARAMETERS_ALLOWED.containsKey(oid)) {
      return Der.sequence(Der.oid(oid), Der.nullValue());
    }
    return Der.sequence(Der.oid(oid));
  }

  /** Verifies {@code signature} over exactly {@code signed} with {@code key}. */
  boolean verifies(byte[] signed, byte[] signature, PublicKey key) {
    if (unsupported() != null) {
      return false;
    }
    try {
      Signature verifier;
      if (oid.equals(RSASSA_PSS)) {
        verifier = Signature.getInstance("RSASSA-PSS");
        verifier.setParameter(pssParameters());
      } else {
        verifier = Signature.getInstance(NAMES.get(oid));
      }
      verifier.initVerify(key);
      verifier.update(signed);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | Asn1Exception | RuntimeException e) {
      return false;
    }
  }

  private PSSParameterSpec pssParameters() throws GeneralSecurityException, Asn1Exception {
    if (parameters == null || parameters.isNull()) {
      return RFC_4055_DEFAULT;
    }
    AlgorithmParameters params = AlgorithmParameters.getInstance("RSASSA-PSS");
    try {
      params.init(Der.reencode(parameters));
    } catch (IOException e) {
      throw new GeneralSecurityException(e);
    }
    return params.getParameterSpec(PSSParameterSpec.class);
  }
}
