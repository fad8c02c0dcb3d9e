package dev.staplekeeper.agent.ocsp;

import dev.staplekeeper.agent.log.LogText;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1InputStream;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ocsp.BasicOCSPResponse;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.ocsp.OCSPResponse;
import org.bouncycastle.asn1.ocsp.ResponderID;
import org.bouncycastle.asn1.ocsp.ResponseBytes;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
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
import org.bouncycastle.operator.ContentVerifier;
import org.bouncycastle.operator.DigestCalculatorProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * Decides whether an OCSP response may be cached and stapled (RFC 6960 section 3.2, design table
 * row 5), and encodes what is stapled: it must parse, be {@code successful} and {@code
 * id-pkix-ocsp-basic}, answer for the expected CertID exactly once (a response with two
 * SingleResponses for it, duplicate or conflicting, is refused), be signed by the issuer or by a
 * delegated responder certificate the issuer issued for OCSP signing, be current ({@code
 * thisUpdate} not in the future beyond the allowed clock skew, {@code nextUpdate} present and in
 * the future) and say {@code good} or {@code revoked}.
 *
 * <p>What is stapled is never the received bytes but {@link StapleEncoding}'s canonical DER: {@code
 * tbsResponseData} exactly as signed (it must already be DER, and the signature is verified by the
 * JDK's providers over exactly those bytes), the unsigned framing re-encoded in DER, and {@code
 * certs} reduced to the delegated signer certificate that verified the signature (none when the
 * issuer signed), parsed by the JDK's {@code CertificateFactory} as TLS clients will. The result
 * must fit {@code maxStapleBytes}; clients abort handshakes whose messages are too large.
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
  /**
   * Default of {@code maxStapleBytes}: well under the 32 KiB handshake messages JDK clients take.
   */
  public static final int DEFAULT_MAX_STAPLE_BYTES = 16 * 1024;

  private static final String OCSP_SIGNING =
      "extendedKeyUsage id-kp-OCSPSigning (1.3.6.1.5.5.7.3.9)";
  private static final String OCSP_SIGNING_OID = "1.3.6.1.5.5.7.3.9";
  private static final int PREVIEW_BYTES = 32;

  /** Most certificates named by the responderID that are tried as the delegated signer. */
  private static final int MAX_SIGNER_CANDIDATES = 4;

  /** Most subjects of included certificates named in a rejection line. */
  private static final int MAX_NAMED = 5;

  /** Serials named in a wrong-CertID rejection; a response may carry hundreds. */
  private static final int SERIALS_SHOWN = 3;

  private final Duration maxClockSkew;
  private final int maxStapleBytes;
  private final DigestCalculatorProvider digests;
  private final JcaContentVerifierProviderBuilder verifiers =
      new JcaContentVerifierProviderBuilder();

  /** A validator with the default {@link #DEFAULT_MAX_STAPLE_BYTES}. */
  public ResponseValidator(Duration maxClockSkew) {
    this(maxClockSkew, DEFAULT_MAX_STAPLE_BYTES);
  }

  /**
   * @param maxClockSkew how far in the future a response's {@code thisUpdate} may be (the
   *     responder's clock may run ahead of ours); zero or positive
   * @param maxStapleBytes the largest re-encoded response that is stapled; positive
   */
  public ResponseValidator(Duration maxClockSkew, int maxStapleBytes) {
    Objects.requireNonNull(maxClockSkew, "maxClockSkew");
    if (maxClockSkew.isNegative()) {
      throw new IllegalArgumentException("maxClockSkew must not be negative: " + maxClockSkew);
    }
    if (maxStapleBytes <= 0) {
      throw new IllegalArgumentException("maxStapleBytes must be positive: " + maxStapleBytes);
    }
    this.maxClockSkew = maxClockSkew;
    this.maxStapleBytes = maxStapleBytes;
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
   * @param der the encoded OCSPResponse exactly as received or stored (BER accepted outside {@code
   *     tbsResponseData}); not retained
   * @param id the CertID the response must answer for
   * @param issuer the certificate that issued the certificate {@code id} names
   * @param now the current time (from the injectable clock)
   * @return the validated response; its {@link ValidatedResponse#der()} is StapleKeeper's canonical
   *     DER re-encoding, at most {@code maxStapleBytes} long
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
    byte[] basicBytes = basicBytes(response);
    BasicOCSPResponse asn1 = basicResponse(basicBytes);
    byte[] tbs = StapleEncoding.signedTbs(basicBytes);
    if (tbs.length > maxStapleBytes) {
      throw tooBig("its tbsResponseData alone is " + tbs.length + " bytes");
    }
    BasicOCSPResp basic = new BasicOCSPResp(asn1);
    Issuer iss = Issuer.of(issuer, id, digests);
    SingleResp single = findSingle(basic, id, iss);
    Certificate signer = checkSignature(asn1, tbs, iss, now);
    checkCriticalExtensions(basic, single);
    byte[] staple = StapleEncoding.encode(asn1, tbs, signer);
    if (staple.length > maxStapleBytes) {
      throw tooBig("re-encoded with only the signer certificate it is " + staple.length + " bytes");
    }
    return timesAndStatus(staple, id, basic, single, now);
  }

  private InvalidResponseException tooBig(String what) {
    return new InvalidResponseException(
        "OCSP response too large to staple: "
            + what
            + ", over maxStapleBytes ("
            + maxStapleBytes
            + "); clients abort handshakes with oversized messages (the JDK at 32768 bytes)");
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

  /** The encoded BasicOCSPResponse inside the responseBytes. */
  private static byte[] basicBytes(OCSPResp response) throws InvalidResponseException {
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
    return bytes.getResponse().getOctets();
  }

  private static BasicOCSPResponse basicResponse(byte[] basicBytes)
      throws InvalidResponseException {
    try {
      return BasicOCSPResponse.getInstance(ASN1Primitive.fromByteArray(basicBytes));
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
    List<SingleResp> matches = new ArrayList<>(1);
    for (SingleResp single : singles) {
      CertificateID got = single.getCertID();
      if (seen.size() < SERIALS_SHOWN) {
        seen.add(got.getSerialNumber().toString(16));
      }
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
        matches.add(single);
      } else {
        sameSerialNote =
            "; one entry has the serial but its issuer name/key hash is not that of "
                + issuer.subject;
      }
    }
    if (matches.size() == 1) {
      return matches.get(0);
    }
    if (matches.size() > 1) {
      List<String> statuses = new ArrayList<>();
      for (SingleResp m : matches) {
        statuses.add(statusName(m.getCertStatus()));
      }
      throw new InvalidResponseException(
          "OCSP response has "
              + matches.size()
              + " SingleResponses for serial "
              + id.serial().toString(16)
              + " (certStatus "
              + String.join(", ", statuses)
              + "); expected exactly one: clients may read any of them, so a duplicate or"
              + " conflicting answer is never stapled");
    }
    throw new InvalidResponseException(
        "no response for serial "
            + id.serial().toString(16)
            + " (issuer "
            + issuer.subject
            + ") in the OCSP response; it answers for serial(s) "
            + "["
            + String.join(", ", seen)
            + (singles.length > seen.size()
                ? ", " + LogText.more(singles.length - seen.size())
                : "")
            + "]"
            + sameSerialNote);
  }

  private static String statusName(CertificateStatus status) {
    if (status == CertificateStatus.GOOD) {
      return "good";
    }
    return status instanceof RevokedStatus ? "revoked" : "unknown";
  }

  /**
   * Verifies the signature over exactly {@code tbs} and returns the delegated signer certificate
   * that verified it, or null when the issuer signed.
   */
  private Certificate checkSignature(
      BasicOCSPResponse basic, byte[] tbs, Issuer issuer, Instant now)
      throws InvalidResponseException {
    ResponderID responder = basic.getTbsResponseData().getResponderID();
    AlgorithmIdentifier algorithm = basic.getSignatureAlgorithm();
    byte[] signature;
    try {
      signature = basic.getSignature().getOctets();
    } catch (RuntimeException e) {
      throw new InvalidResponseException("the OCSP response signature is malformed: " + e, e);
    }
    if (issuer.isNamedBy(responder)) {
      if (verifies(tbs, algorithm, signature, issuer.publicKey)) {
        return null;
      }
      throw new InvalidResponseException(
          "OCSP response signed by an unauthorized key: its responderID ("
              + describe(responder)
              + ") names the issuer "
              + issuer.subject
              + " but the signature does not verify with the issuer's public key");
    }
    ASN1Sequence certs = basic.getCerts();
    int count = certs == null ? 0 : certs.size();
    List<String> included = new ArrayList<>();
    String problem = null;
    X500Name rejectedSubject = null;
    X500Name rejectedIssuer = null;
    int tried = 0;
    for (int i = 0; i < count && tried < MAX_SIGNER_CANDIDATES; i++) {
      Certificate cert;
      try {
        cert = Certificate.getInstance(certs.getObjectAt(i));
      } catch (RuntimeException e) {
        included.add("unparseable entry " + i);
        continue;
      }
      included.add(cert.getSubject().toString());
      if (!names(responder, cert)) {
        continue;
      }
      tried++;
      X509Certificate parsed = null;
      String why;
      try {
        parsed = jdkCertificate(cert);
        why = delegationProblem(parsed, issuer, now);
      } catch (CertificateException | IOException | RuntimeException e) {
        why =
            "the JDK's CertificateFactory cannot parse it (TLS clients would abort with"
                + " bad_certificate_status_response): "
                + describe(e);
      }
      if (why == null && !verifies(tbs, algorithm, signature, parsed.getPublicKey())) {
        why = "the response signature does not verify with its public key";
      }
      if (why == null) {
        try {
          return Certificate.getInstance(parsed.getEncoded());
        } catch (CertificateEncodingException e) {
          why = "it cannot be encoded: " + describe(e);
        }
      }
      if (problem == null) {
        problem = why;
        rejectedSubject = cert.getSubject();
        rejectedIssuer = cert.getIssuer();
      }
    }
    if (problem == null) {
      throw new InvalidResponseException(
          "OCSP response signed by an unauthorized key (responderID "
              + describe(responder)
              + "): it is neither the issuer "
              + issuer.subject
              + " nor a responder certificate included in the response (included: "
              + named(included, count)
              + "); expected the issuer or a certificate it issued with "
              + OCSP_SIGNING);
    }
    throw new InvalidResponseException(
        "OCSP response signed by an unauthorized cert (subject "
            + rejectedSubject
            + ", issuer "
            + rejectedIssuer
            + "): "
            + problem
            + "; expected the issuer "
            + issuer.subject
            + " or a certificate it issued with "
            + OCSP_SIGNING);
  }

  /** The certificate as a TLS client's JDK parses it (extensions included), DER re-encoded. */
  private static X509Certificate jdkCertificate(Certificate cert)
      throws CertificateException, IOException {
    byte[] encoded = cert.getEncoded(ASN1Encoding.DER);
    return (X509Certificate)
        CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(encoded));
  }

  /** Null when {@code cert} may sign OCSP responses for {@code issuer}'s certificates at now. */
  private static String delegationProblem(X509Certificate cert, Issuer issuer, Instant now)
      throws CertificateException {
    X500Name certIssuer = X500Name.getInstance(cert.getIssuerX500Principal().getEncoded());
    if (!certIssuer.equals(issuer.subject)) {
      return "it was not issued by " + issuer.subject;
    }
    try {
      cert.verify(issuer.publicKey);
    } catch (GeneralSecurityException | RuntimeException e) {
      return "its certificate signature does not verify with the key of "
          + issuer.subject
          + " ("
          + describe(e)
          + ")";
    }
    List<String> eku = cert.getExtendedKeyUsage();
    if (eku == null || !eku.contains(OCSP_SIGNING_OID)) {
      return "it lacks " + OCSP_SIGNING;
    }
    try {
      cert.checkValidity(Date.from(now));
    } catch (CertificateExpiredException | CertificateNotYetValidException e) {
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

  /** Verifies {@code signature} over exactly {@code tbs} with the JDK's providers. */
  private boolean verifies(
      byte[] tbs, AlgorithmIdentifier algorithm, byte[] signature, PublicKey key) {
    try {
      ContentVerifier verifier = verifiers.build(key).get(algorithm);
      try (OutputStream out = verifier.getOutputStream()) {
        out.write(tbs);
      }
      return verifier.verify(signature);
    } catch (OperatorCreationException | IOException | RuntimeException e) {
      return false;
    }
  }

  private static String named(List<String> names, int count) {
    if (names.isEmpty()) {
      return "none";
    }
    List<String> shown = names.subList(0, Math.min(names.size(), MAX_NAMED));
    return String.join("; ", shown)
        + (count > shown.size() ? " and " + (count - shown.size()) + " more" : "");
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

  private static boolean names(ResponderID responder, Certificate cert) {
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
