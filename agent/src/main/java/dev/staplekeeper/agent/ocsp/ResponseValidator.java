package dev.staplekeeper.agent.ocsp;

import dev.staplekeeper.agent.log.LogText;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.bouncycastle.asn1.ASN1InputStream;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ocsp.BasicOCSPResponse;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.ocsp.OCSPResponse;
import org.bouncycastle.asn1.ocsp.ResponderID;
import org.bouncycastle.asn1.ocsp.ResponseBytes;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.CertException;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPException;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.bouncycastle.operator.ContentVerifierProvider;
import org.bouncycastle.operator.DigestCalculatorProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * Decides whether an OCSP response may be cached and stapled (RFC 6960 section 3.2, design table
 * row 5): it must parse, be {@code successful} and {@code id-pkix-ocsp-basic}, answer for the
 * expected CertID, be signed by the issuer or by a delegated responder certificate the issuer
 * issued for OCSP signing, be current ({@code thisUpdate} not in the future beyond the allowed
 * clock skew, {@code nextUpdate} present and in the future) and say {@code good} or {@code
 * revoked}.
 *
 * <p>The same {@link #validate} call serves responses fresh from a responder and responses loaded
 * from disk after a restart: a stored response is never trusted more than a fetched one.
 *
 * <p>Contract: {@link #validate} either returns a {@link ValidatedResponse} or throws {@link
 * InvalidResponseException} whose message says what was expected and what came, fit for an
 * operator's log line. No other exception escapes for any content of {@code der}. Thread-safe and
 * stateless apart from its configuration; verification uses the JDK's own JCA providers (no
 * provider is ever registered).
 */
public final class ResponseValidator {
  private static final String OCSP_SIGNING =
      "extendedKeyUsage id-kp-OCSPSigning (1.3.6.1.5.5.7.3.9)";
  private static final int PREVIEW_BYTES = 32;

  /** Serials named in a wrong-CertID rejection; a response may carry hundreds. */
  private static final int SERIALS_SHOWN = 3;

  private final Duration maxClockSkew;
  private final DigestCalculatorProvider digests;
  private final JcaContentVerifierProviderBuilder verifiers =
      new JcaContentVerifierProviderBuilder();

  /**
   * @param maxClockSkew how far in the future a response's {@code thisUpdate} may be (the
   *     responder's clock may run ahead of ours); zero or positive
   */
  public ResponseValidator(Duration maxClockSkew) {
    Objects.requireNonNull(maxClockSkew, "maxClockSkew");
    if (maxClockSkew.isNegative()) {
      throw new IllegalArgumentException("maxClockSkew must not be negative: " + maxClockSkew);
    }
    this.maxClockSkew = maxClockSkew;
    try {
      // Uses the JDK's own MessageDigest; StapleKeeper never registers a JCE provider.
      this.digests = new JcaDigestCalculatorProviderBuilder().build();
    } catch (OperatorCreationException e) {
      throw new IllegalStateException("no JDK digest provider", e);
    }
  }

  /** The allowed clock skew this validator was built with. */
  public Duration maxClockSkew() {
    return maxClockSkew;
  }

  /**
   * Validates {@code der} as the response for {@code id} issued by {@code issuer} at {@code now}.
   * Used both for responses fresh from the responder and for responses loaded from disk.
   *
   * @param der the encoded OCSPResponse exactly as received or stored; copied, not retained
   * @param id the CertID the response must answer for
   * @param issuer the certificate that issued the certificate {@code id} names
   * @param now the current time (from the injectable clock)
   * @return the validated response; its {@link ValidatedResponse#der()} is a private copy of {@code
   *     der}
   * @throws InvalidResponseException with a message fit for an operator's log line
   */
  public ValidatedResponse validate(byte[] der, CertId id, X509Certificate issuer, Instant now)
      throws InvalidResponseException {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(issuer, "issuer");
    Objects.requireNonNull(now, "now");
    if (der == null) {
      throw new InvalidResponseException("no OCSP response bytes for " + id);
    }
    byte[] copy = der.clone();
    try {
      return validateCopy(copy, id, issuer, now);
    } catch (InvalidResponseException e) {
      throw e;
    } catch (RuntimeException e) {
      // Bouncy Castle reports some malformed structures with unchecked exceptions; a bad response
      // must never surface as anything but a rejected response.
      throw new InvalidResponseException(
          "malformed OCSP response for " + id + " (" + copy.length + " bytes): " + describe(e), e);
    }
  }

  private ValidatedResponse validateCopy(byte[] der, CertId id, X509Certificate issuer, Instant now)
      throws InvalidResponseException {
    OCSPResp response = parse(der);
    checkResponseStatus(response);
    BasicOCSPResp basic = basicResponse(response);
    Issuer iss = Issuer.of(issuer, id, digests);
    SingleResp single = findSingle(basic, id, iss);
    checkSignature(basic, iss, now);
    checkCriticalExtensions(basic, single);
    return timesAndStatus(der, id, basic, single, now);
  }

  private static OCSPResp parse(byte[] der) throws InvalidResponseException {
    if (der.length == 0) {
      throw new InvalidResponseException(
          "empty OCSP response (0 bytes); expected a DER-encoded OCSPResponse");
    }
    if ((der[0] & 0xff) != 0x30) {
      throw new InvalidResponseException(
          "not an OCSP response: expected a DER SEQUENCE (first byte 0x30), got "
              + der.length
              + " bytes starting "
              + preview(der));
    }
    ASN1Primitive primitive;
    try (ASN1InputStream in = new ASN1InputStream(new ByteArrayInputStream(der), der.length)) {
      primitive = in.readObject();
      int trailing = in.available();
      if (trailing > 0) {
        throw new InvalidResponseException(
            "OCSP response has "
                + trailing
                + " unexpected bytes after the DER OCSPResponse ("
                + der.length
                + " bytes in all)");
      }
    } catch (IOException | RuntimeException e) {
      throw new InvalidResponseException(
          "truncated or malformed DER ("
              + der.length
              + " bytes): "
              + describe(e)
              + "; expected a complete DER-encoded OCSPResponse",
          e);
    }
    if (primitive == null) {
      throw new InvalidResponseException(
          "truncated DER (" + der.length + " bytes); expected a DER-encoded OCSPResponse");
    }
    try {
      return new OCSPResp(OCSPResponse.getInstance(primitive));
    } catch (RuntimeException e) {
      throw new InvalidResponseException(
          "DER (" + der.length + " bytes) is not an OCSPResponse structure: " + describe(e), e);
    }
  }

  private static void checkResponseStatus(OCSPResp response) throws InvalidResponseException {
    int status = response.getStatus();
    if (status != OCSPResp.SUCCESSFUL) {
      throw new InvalidResponseException(
          "responder answered responseStatus "
              + responseStatusName(status)
              + "; expected successful (0)");
    }
  }

  /** The RFC 6960 name and number of an OCSPResponseStatus, e.g. {@code tryLater (3)}. */
  static String responseStatusName(int status) {
    switch (status) {
      case OCSPResp.SUCCESSFUL:
        return "successful (0)";
      case OCSPResp.MALFORMED_REQUEST:
        return "malformedRequest (1)";
      case OCSPResp.INTERNAL_ERROR:
        return "internalError (2)";
      case OCSPResp.TRY_LATER:
        return "tryLater (3)";
      case OCSPResp.SIG_REQUIRED:
        return "sigRequired (5)";
      case OCSPResp.UNAUTHORIZED:
        return "unauthorized (6)";
      default:
        return "unassigned value " + status;
    }
  }

  private static BasicOCSPResp basicResponse(OCSPResp response) throws InvalidResponseException {
    ResponseBytes bytes = response.toASN1Structure().getResponseBytes();
    if (bytes == null) {
      throw new InvalidResponseException(
          "successful OCSP response without responseBytes; expected an id-pkix-ocsp-basic"
              + " response");
    }
    ASN1ObjectIdentifier type = bytes.getResponseType();
    if (!OCSPObjectIdentifiers.id_pkix_ocsp_basic.equals(type)) {
      throw new InvalidResponseException(
          "OCSP responseType is "
              + type
              + "; expected id-pkix-ocsp-basic ("
              + OCSPObjectIdentifiers.id_pkix_ocsp_basic
              + ")");
    }
    try {
      return new BasicOCSPResp(
          BasicOCSPResponse.getInstance(
              ASN1Primitive.fromByteArray(bytes.getResponse().getOctets())));
    } catch (IOException | RuntimeException e) {
      throw new InvalidResponseException(
          "cannot decode the BasicOCSPResponse inside the OCSP response: " + describe(e), e);
    }
  }

  private SingleResp findSingle(BasicOCSPResp basic, CertId id, Issuer issuer)
      throws InvalidResponseException {
    SingleResp[] singles = basic.getResponses();
    CertificateID wanted = id.toCertificateId();
    List<String> seen = new ArrayList<>();
    String sameSerialNote = "";
    for (SingleResp single : singles) {
      CertificateID got = single.getCertID();
      seen.add(got.getSerialNumber().toString(16));
      if (!got.getSerialNumber().equals(id.serial())) {
        continue;
      }
      CertificateID expected =
          got.getHashAlgOID().equals(wanted.getHashAlgOID())
              ? wanted
              : issuer.certIdWith(got.getHashAlgOID(), id.serial());
      if (expected == null) {
        sameSerialNote =
            "; one entry has the serial but uses unsupported CertID hash algorithm "
                + got.getHashAlgOID();
      } else if (Arrays.equals(expected.getIssuerNameHash(), got.getIssuerNameHash())
          && Arrays.equals(expected.getIssuerKeyHash(), got.getIssuerKeyHash())) {
        return single;
      } else {
        sameSerialNote =
            "; one entry has the serial but its issuer name/key hash is not that of "
                + issuer.subject;
      }
    }
    throw new InvalidResponseException(
        "no response for serial "
            + id.serial().toString(16)
            + " (issuer "
            + issuer.subject
            + ") in the OCSP response; it answers for serial(s) "
            + LogText.list(seen, SERIALS_SHOWN)
            + sameSerialNote);
  }

  private void checkSignature(BasicOCSPResp basic, Issuer issuer, Instant now)
      throws InvalidResponseException {
    ResponderID responder = basic.getResponderId().toASN1Primitive();
    if (issuer.isNamedBy(responder)) {
      if (signatureVerifies(basic, issuer.publicKey)) {
        return;
      }
      throw new InvalidResponseException(
          "OCSP response signed by an unauthorized key: its responderID ("
              + describe(responder)
              + ") names the issuer "
              + issuer.subject
              + " but the signature does not verify with the issuer's public key");
    }
    X509CertificateHolder[] included = basic.getCerts();
    List<X509CertificateHolder> candidates = new ArrayList<>();
    for (X509CertificateHolder cert : included) {
      if (names(responder, cert)) {
        candidates.add(cert);
      }
    }
    if (candidates.isEmpty()) {
      throw new InvalidResponseException(
          "OCSP response signed by an unauthorized key (responderID "
              + describe(responder)
              + "): it is neither the issuer "
              + issuer.subject
              + " nor a responder certificate included in the response (included: "
              + subjects(included)
              + "); expected the issuer or a certificate it issued with "
              + OCSP_SIGNING);
    }
    String problem = null;
    X509CertificateHolder rejected = null;
    for (X509CertificateHolder candidate : candidates) {
      String why = delegationProblem(candidate, issuer, now);
      if (why == null && !signatureVerifies(basic, candidate)) {
        why = "the response signature does not verify with its public key";
      }
      if (why == null) {
        return;
      }
      if (problem == null) {
        problem = why;
        rejected = candidate;
      }
    }
    throw new InvalidResponseException(
        "OCSP response signed by an unauthorized cert (subject "
            + rejected.getSubject()
            + ", issuer "
            + rejected.getIssuer()
            + "): "
            + problem
            + "; expected the issuer "
            + issuer.subject
            + " or a certificate it issued with "
            + OCSP_SIGNING);
  }

  /** Null when {@code cert} may sign OCSP responses for {@code issuer}'s certificates at now. */
  private String delegationProblem(X509CertificateHolder cert, Issuer issuer, Instant now) {
    if (!cert.getIssuer().equals(issuer.subject)) {
      return "it was not issued by " + issuer.subject;
    }
    try {
      if (!cert.isSignatureValid(verifiers.build(issuer.publicKey))) {
        return "its certificate signature does not verify with the key of " + issuer.subject;
      }
    } catch (CertException | OperatorCreationException | RuntimeException e) {
      return "its certificate signature cannot be checked with the key of "
          + issuer.subject
          + ": "
          + describe(e);
    }
    ExtendedKeyUsage eku = ExtendedKeyUsage.fromExtensions(cert.getExtensions());
    if (eku == null || !eku.hasKeyPurposeId(KeyPurposeId.id_kp_OCSPSigning)) {
      return "it lacks " + OCSP_SIGNING;
    }
    Date at = Date.from(now);
    if (!cert.isValidOn(at)) {
      return "it is not valid at "
          + now
          + " (notBefore "
          + cert.getNotBefore().toInstant()
          + ", notAfter "
          + cert.getNotAfter().toInstant()
          + ")";
    }
    return null;
  }

  private boolean signatureVerifies(BasicOCSPResp basic, PublicKey key) {
    try {
      return basic.isSignatureValid(verifiers.build(key));
    } catch (OCSPException | OperatorCreationException | RuntimeException e) {
      return false;
    }
  }

  private boolean signatureVerifies(BasicOCSPResp basic, X509CertificateHolder cert) {
    try {
      ContentVerifierProvider provider = verifiers.build(cert);
      return basic.isSignatureValid(provider);
    } catch (OCSPException
        | OperatorCreationException
        | CertificateException
        | RuntimeException e) {
      return false;
    }
  }

  private static void checkCriticalExtensions(BasicOCSPResp basic, SingleResp single)
      throws InvalidResponseException {
    // Clients (the JDK among them) reject responses with critical extensions they do not know.
    for (Object oid : basic.getCriticalExtensionOIDs()) {
      if (!OCSPObjectIdentifiers.id_pkix_ocsp_nonce.equals(oid)) {
        throw new InvalidResponseException(
            "OCSP response carries unsupported critical extension "
                + oid
                + "; clients would reject it");
      }
    }
    Set<?> singleCritical = single.getCriticalExtensionOIDs();
    if (!singleCritical.isEmpty()) {
      throw new InvalidResponseException(
          "OCSP SingleResponse carries unsupported critical extension(s) "
              + singleCritical
              + "; clients would reject it");
    }
  }

  private ValidatedResponse timesAndStatus(
      byte[] der, CertId id, BasicOCSPResp basic, SingleResp single, Instant now)
      throws InvalidResponseException {
    Instant thisUpdate = single.getThisUpdate().toInstant();
    Instant latestThisUpdate = now.plus(maxClockSkew);
    if (thisUpdate.isAfter(latestThisUpdate)) {
      throw new InvalidResponseException(
          "OCSP response thisUpdate "
              + thisUpdate
              + " is in the future: now is "
              + now
              + " and the allowed clock skew is "
              + maxClockSkew
              + "; check the clocks of this server and of the responder");
    }
    Date next = single.getNextUpdate();
    if (next == null) {
      throw new InvalidResponseException(
          "OCSP response has no nextUpdate: it cannot be cached safely; expected the responder to"
              + " set nextUpdate");
    }
    Instant nextUpdate = next.toInstant();
    if (!nextUpdate.isAfter(now)) {
      throw InvalidResponseException.expired(
          "OCSP response expired: nextUpdate " + nextUpdate + " is not after now " + now);
    }
    if (nextUpdate.isBefore(thisUpdate)) {
      throw new InvalidResponseException(
          "OCSP response nextUpdate " + nextUpdate + " is before its thisUpdate " + thisUpdate);
    }
    Date produced = basic.getProducedAt();
    Instant producedAt = produced == null ? null : produced.toInstant();

    CertificateStatus status = single.getCertStatus();
    if (status == CertificateStatus.GOOD) {
      return new ValidatedResponse(
          der, id, ValidatedResponse.Status.GOOD, thisUpdate, nextUpdate, producedAt, null);
    }
    if (status instanceof RevokedStatus) {
      Instant revocationTime = ((RevokedStatus) status).getRevocationTime().toInstant();
      return new ValidatedResponse(
          der,
          id,
          ValidatedResponse.Status.REVOKED,
          thisUpdate,
          nextUpdate,
          producedAt,
          revocationTime);
    }
    if (status instanceof UnknownStatus) {
      throw new InvalidResponseException(
          "responder says certStatus unknown for serial "
              + id.serial().toString(16)
              + "; expected good or revoked (is the responder serving this issuer?)");
    }
    throw new InvalidResponseException(
        "OCSP response has an unrecognised certStatus; expected good or revoked");
  }

  private static boolean names(ResponderID responder, X509CertificateHolder cert) {
    X500Name name = responder.getName();
    if (name != null) {
      return name.equals(cert.getSubject());
    }
    byte[] keyHash = responder.getKeyHash();
    return keyHash != null && Arrays.equals(keyHash, keyHash(cert.getSubjectPublicKeyInfo()));
  }

  /** SHA-1 of the subjectPublicKey BIT STRING value: the ResponderID byKey form. */
  private static byte[] keyHash(SubjectPublicKeyInfo spki) {
    try {
      return MessageDigest.getInstance("SHA-1").digest(spki.getPublicKeyData().getBytes());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-1", e);
    }
  }

  private static String describe(ResponderID responder) {
    X500Name name = responder.getName();
    if (name != null) {
      return "byName " + name;
    }
    byte[] keyHash = responder.getKeyHash();
    return "byKey " + (keyHash == null ? "?" : hex(keyHash));
  }

  private static String subjects(X509CertificateHolder[] certs) {
    if (certs.length == 0) {
      return "none";
    }
    List<String> names = new ArrayList<>();
    for (X509CertificateHolder cert : certs) {
      names.add(cert.getSubject().toString());
    }
    return String.join("; ", names);
  }

  private static String describe(Throwable e) {
    String message = e.getMessage();
    return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  /** The first bytes, as text when they look like text (an HTML error page), else as hex. */
  private static String preview(byte[] der) {
    int n = Math.min(der.length, PREVIEW_BYTES);
    boolean text = true;
    for (int i = 0; i < n; i++) {
      int b = der[i] & 0xff;
      if (b < 0x20 && b != '\n' && b != '\r' && b != '\t' || b > 0x7e) {
        text = false;
        break;
      }
    }
    if (text) {
      String s = new String(der, 0, n, StandardCharsets.US_ASCII).replaceAll("\\s+", " ");
      return "\"" + s + (der.length > n ? "..." : "") + "\" (text, not DER)";
    }
    return "0x" + hex(Arrays.copyOf(der, n)) + (der.length > n ? "..." : "");
  }

  private static String hex(byte[] bytes) {
    StringBuilder sb = new StringBuilder(bytes.length * 2);
    for (byte b : bytes) {
      sb.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
    }
    return sb.toString();
  }

  /** The issuer certificate in the forms the checks need, computed once per validation. */
  private static final class Issuer {
    final X500Name subject;
    final PublicKey publicKey;
    final byte[] publicKeyHash;
    final X509CertificateHolder holder;
    final DigestCalculatorProvider digests;

    private Issuer(X509CertificateHolder holder, PublicKey key, DigestCalculatorProvider digests) {
      this.holder = holder;
      this.subject = holder.getSubject();
      this.publicKey = key;
      this.publicKeyHash = keyHash(holder.getSubjectPublicKeyInfo());
      this.digests = digests;
    }

    static Issuer of(X509Certificate issuer, CertId id, DigestCalculatorProvider digests)
        throws InvalidResponseException {
      X509CertificateHolder holder;
      try {
        holder = new JcaX509CertificateHolder(issuer);
      } catch (CertificateEncodingException e) {
        throw new InvalidResponseException(
            "cannot encode the issuer certificate " + issuer.getSubjectX500Principal(), e);
      }
      Issuer result = new Issuer(holder, issuer.getPublicKey(), digests);
      CertificateID expected = id.toCertificateId();
      CertificateID recomputed = result.certIdWith(expected.getHashAlgOID(), id.serial());
      if (recomputed == null
          || !Arrays.equals(recomputed.getIssuerKeyHash(), expected.getIssuerKeyHash())
          || !Arrays.equals(recomputed.getIssuerNameHash(), expected.getIssuerNameHash())) {
        throw new InvalidResponseException(
            "the issuer certificate given ("
                + result.subject
                + ") is not the issuer named by "
                + id
                + "; cannot validate the response");
      }
      return result;
    }

    boolean isNamedBy(ResponderID responder) {
      X500Name name = responder.getName();
      if (name != null) {
        return name.equals(subject);
      }
      byte[] keyHash = responder.getKeyHash();
      return keyHash != null && Arrays.equals(keyHash, publicKeyHash);
    }

    /** This issuer's CertID for {@code serial} under another hash algorithm; null if unknown. */
    CertificateID certIdWith(ASN1ObjectIdentifier hashAlgorithm, BigInteger serial) {
      try {
        return new CertificateID(
            digests.get(new AlgorithmIdentifier(hashAlgorithm)), holder, serial);
      } catch (OCSPException | OperatorCreationException | RuntimeException e) {
        return null;
      }
    }
  }
}
