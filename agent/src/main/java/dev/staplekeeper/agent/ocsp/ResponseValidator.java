package dev.staplekeeper.agent.ocsp;

import dev.staplekeeper.agent.asn1.Asn1Exception;
import dev.staplekeeper.agent.asn1.Der;
import dev.staplekeeper.agent.asn1.Tlv;
import dev.staplekeeper.agent.log.LogText;
import java.io.ByteArrayInputStream;
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
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.security.auth.x500.X500Principal;

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
      // A structure the reading code did not foresee must never surface as anything but a
      // rejected response.
      throw new InvalidResponseException(
          "malformed OCSP response for " + id + " (" + copy.length + " bytes): " + describe(e), e);
    }
  }

  private ValidatedResponse validateCopy(byte[] der, CertId id, X509Certificate issuer, Instant now)
      throws InvalidResponseException {
    Tlv response = parse(der);
    byte[] basicBytes = basicBytes(response, der.length);
    BasicResponse basic;
    try {
      basic = BasicResponse.read(basicBytes);
    } catch (Asn1Exception e) {
      throw new InvalidResponseException(
          "cannot decode the BasicOCSPResponse inside the OCSP response: " + e.getMessage(), e);
    }
    byte[] tbs = StapleEncoding.signedTbs(basic);
    if (tbs.length > maxStapleBytes) {
      throw tooBig("its tbsResponseData alone is " + tbs.length + " bytes");
    }
    ResponseData data;
    ResponseSignature signature;
    try {
      data = ResponseData.read(basic.tbsResponseData);
      signature = ResponseSignature.of(basic.signatureAlgorithm);
    } catch (Asn1Exception e) {
      throw new InvalidResponseException(
          "malformed BasicOCSPResponse (" + der.length + " bytes): " + e.getMessage(), e);
    }
    Issuer iss = Issuer.of(issuer, id);
    SingleResponse single = findSingle(data, id, iss);
    byte[] signer = checkSignature(basic, data, signature, tbs, iss, now);
    checkCriticalExtensions(data, single);
    byte[] staple = StapleEncoding.encode(basic, signature, tbs, signer);
    if (staple.length > maxStapleBytes) {
      throw tooBig("re-encoded with only the signer certificate it is " + staple.length + " bytes");
    }
    return timesAndStatus(staple, id, data, single, now);
  }

  private InvalidResponseException tooBig(String what) {
    return new InvalidResponseException(
        "OCSP response too large to staple: "
            + what
            + ", over maxStapleBytes ("
            + maxStapleBytes
            + "); clients abort handshakes with oversized messages (the JDK at 32768 bytes)");
  }

  private static Tlv parse(byte[] der) throws InvalidResponseException {
    if (der.length == 0) {
      throw new InvalidResponseException(
          "empty OCSP response (0 bytes); expected a DER-encoded OCSPResponse");
    }
    if ((der[0] & 0xff) != Tlv.SEQUENCE) {
      throw new InvalidResponseException(
          "not an OCSP response: expected a DER SEQUENCE (first byte 0x30), got "
              + der.length
              + " bytes starting "
              + preview(der));
    }
    try {
      return Tlv.parse(der, "DER OCSPResponse");
    } catch (Asn1Exception e) {
      throw new InvalidResponseException(
          "truncated or malformed DER ("
              + der.length
              + " bytes): "
              + e.getMessage()
              + "; expected a complete DER-encoded OCSPResponse",
          e);
    }
  }

  /** The encoded BasicOCSPResponse inside a successful OCSPResponse's responseBytes. */
  private static byte[] basicBytes(Tlv response, int length) throws InvalidResponseException {
    try {
      List<Tlv> fields = response.children(Tlv.SEQUENCE, "OCSPResponse");
      if (fields.isEmpty() || fields.size() > 2) {
        throw new Asn1Exception("OCSPResponse has " + fields.size() + " fields; expected 1 or 2");
      }
      BigInteger status = fields.get(0).enumerated("responseStatus");
      if (status.signum() != 0) {
        throw new InvalidResponseException(
            "responder answered responseStatus "
                + responseStatusName(status.bitLength() < 16 ? status.intValue() : -1)
                + "; expected successful (0)");
      }
      if (fields.size() == 1) {
        throw new InvalidResponseException(
            "successful OCSP response without responseBytes; expected an id-pkix-ocsp-basic"
                + " response");
      }
      List<Tlv> bytes =
          fields
              .get(1)
              .expect(Tlv.CONTEXT | Tlv.CONSTRUCTED, "responseBytes")
              .explicitContent("responseBytes")
              .children(Tlv.SEQUENCE, "ResponseBytes");
      if (bytes.size() != 2) {
        throw new Asn1Exception("ResponseBytes has " + bytes.size() + " fields; expected 2");
      }
      String type = bytes.get(0).oid("responseType");
      if (!OcspOids.BASIC.equals(type)) {
        throw new InvalidResponseException(
            "OCSP responseType is "
                + type
                + "; expected id-pkix-ocsp-basic ("
                + OcspOids.BASIC
                + ")");
      }
      return bytes.get(1).octetString("response");
    } catch (Asn1Exception e) {
      throw new InvalidResponseException(
          "DER (" + length + " bytes) is not an OCSPResponse structure: " + e.getMessage(), e);
    }
  }

  /** The RFC 6960 name and number of an OCSPResponseStatus, e.g. {@code tryLater (3)}. */
  static String responseStatusName(int status) {
    switch (status) {
      case 0:
        return "successful (0)";
      case 1:
        return "malformedRequest (1)";
      case 2:
        return "internalError (2)";
      case 3:
        return "tryLater (3)";
      case 5:
        return "sigRequired (5)";
      case 6:
        return "unauthorized (6)";
      default:
        return "unassigned value " + status;
    }
  }

  private SingleResponse findSingle(ResponseData data, CertId id, Issuer issuer)
      throws InvalidResponseException {
    List<SingleResponse> singles = data.responses;
    List<String> seen = new ArrayList<>();
    String sameSerialNote = "";
    List<SingleResponse> matches = new ArrayList<>(1);
    for (SingleResponse single : singles) {
      if (seen.size() < SERIALS_SHOWN) {
        seen.add(single.serial.toString(16));
      }
      if (!single.serial.equals(id.serial())) {
        continue;
      }
      byte[][] expected = issuer.hashesWith(single.hashAlgorithm);
      if (expected == null) {
        sameSerialNote =
            "; one entry has the serial but uses unsupported CertID hash algorithm "
                + single.hashAlgorithm;
      } else if (Arrays.equals(expected[0], single.issuerNameHash)
          && Arrays.equals(expected[1], single.issuerKeyHash)) {
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
      for (SingleResponse m : matches) {
        statuses.add(m.status.displayName());
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
            + (singles.size() > seen.size()
                ? ", " + LogText.more(singles.size() - seen.size())
                : "")
            + "]"
            + sameSerialNote);
  }

  /**
   * Verifies the signature over exactly {@code tbs} and returns the DER of the delegated signer
   * certificate that verified it, or null when the issuer signed.
   */
  private byte[] checkSignature(
      BasicResponse basic,
      ResponseData data,
      ResponseSignature signature,
      byte[] tbs,
      Issuer issuer,
      Instant now)
      throws InvalidResponseException {
    String unsupported = signature.unsupported();
    if (unsupported != null) {
      throw new InvalidResponseException("OCSP response cannot be verified: its " + unsupported);
    }
    if (issuer.isNamedBy(data)) {
      if (signature.verifies(tbs, basic.signature, issuer.publicKey)) {
        return null;
      }
      throw new InvalidResponseException(
          "OCSP response signed by an unauthorized key: its responderID ("
              + describeResponder(data)
              + ") names the issuer "
              + issuer.subject
              + " but the signature does not verify with the issuer's public key");
    }
    int count = basic.certs.size();
    List<String> included = new ArrayList<>();
    String problem = null;
    String rejectedSubject = null;
    String rejectedIssuer = null;
    int tried = 0;
    for (int i = 0; i < count && tried < MAX_SIGNER_CANDIDATES; i++) {
      Tlv entry = basic.certs.get(i);
      X509Certificate cert;
      try {
        cert = jdkCertificate(entry);
      } catch (CertificateException | RuntimeException e) {
        TbsCertificate structure = structureOf(entry);
        String subject = structure == null ? null : nameOrNull(structure, true);
        included.add(subject == null ? "unparseable entry " + i : subject);
        if (structure != null && names(data, structure)) {
          tried++;
          if (problem == null) {
            problem =
                "the JDK's CertificateFactory cannot parse it (TLS clients would abort with"
                    + " bad_certificate_status_response): "
                    + describe(e);
            rejectedSubject = subject;
            rejectedIssuer = nameOrNull(structure, false);
          }
        }
        continue;
      }
      included.add(cert.getSubjectX500Principal().toString());
      if (!names(data, cert)) {
        continue;
      }
      tried++;
      String why = TbsCertificate.signatureFieldsProblem(entry);
      if (why == null) {
        why = delegationProblem(cert, issuer, now);
      }
      if (why == null && !signature.verifies(tbs, basic.signature, cert.getPublicKey())) {
        why = "the response signature does not verify with its public key";
      }
      if (why == null) {
        try {
          return cert.getEncoded();
        } catch (CertificateEncodingException e) {
          why = "it cannot be encoded: " + describe(e);
        }
      }
      if (problem == null) {
        problem = why;
        rejectedSubject = cert.getSubjectX500Principal().toString();
        rejectedIssuer = cert.getIssuerX500Principal().toString();
      }
    }
    if (problem == null) {
      throw new InvalidResponseException(
          "OCSP response signed by an unauthorized key (responderID "
              + describeResponder(data)
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

  /**
   * The certificate, re-encoded in DER (the certs field is unsigned framing, so BER there is
   * re-encoded like the rest of it; BER inside tbsCertificate then fails the certificate's own
   * signature check), as a TLS client's JDK parses it (extensions included).
   */
  private static X509Certificate jdkCertificate(Tlv entry) throws CertificateException {
    byte[] der;
    try {
      der = Der.reencode(entry);
    } catch (Asn1Exception e) {
      throw new CertificateException(e.getMessage(), e);
    }
    return (X509Certificate)
        CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
  }

  /** The structure of a certificate the JDK cannot parse, or null when it has none. */
  private static TbsCertificate structureOf(Tlv entry) {
    try {
      return TbsCertificate.ofCertificate(entry);
    } catch (Asn1Exception | RuntimeException e) {
      return null;
    }
  }

  /** Its subject ({@code subject}) or issuer name as the JDK prints it, or null if malformed. */
  private static String nameOrNull(TbsCertificate structure, boolean subject) {
    try {
      return (subject ? structure.subject() : structure.issuer()).toString();
    } catch (Asn1Exception | RuntimeException e) {
      return null;
    }
  }

  /** Null when {@code cert} may sign OCSP responses for {@code issuer}'s certificates at now. */
  private static String delegationProblem(X509Certificate cert, Issuer issuer, Instant now) {
    if (!cert.getIssuerX500Principal().equals(issuer.principal)) {
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
    List<String> eku;
    try {
      eku = cert.getExtendedKeyUsage();
    } catch (CertificateParsingException | RuntimeException e) {
      return "its extendedKeyUsage does not parse (" + describe(e) + ")";
    }
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

  private static String named(List<String> names, int count) {
    if (names.isEmpty()) {
      return "none";
    }
    List<String> shown = names.subList(0, Math.min(names.size(), MAX_NAMED));
    return String.join("; ", shown)
        + (count > shown.size() ? " and " + (count - shown.size()) + " more" : "");
  }

  private static void checkCriticalExtensions(ResponseData data, SingleResponse single)
      throws InvalidResponseException {
    // Clients (the JDK among them) reject responses with critical extensions they do not know.
    for (String oid : data.criticalExtensions) {
      if (!OcspOids.NONCE.equals(oid)) {
        throw new InvalidResponseException(
            "OCSP response carries unsupported critical extension "
                + oid
                + "; clients would reject it");
      }
    }
    if (!single.criticalExtensions.isEmpty()) {
      throw new InvalidResponseException(
          "OCSP SingleResponse carries unsupported critical extension(s) "
              + single.criticalExtensions
              + "; clients would reject it");
    }
  }

  private ValidatedResponse timesAndStatus(
      byte[] der, CertId id, ResponseData data, SingleResponse single, Instant now)
      throws InvalidResponseException {
    Instant thisUpdate = single.thisUpdate;
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
    Instant nextUpdate = single.nextUpdate;
    if (nextUpdate == null) {
      throw new InvalidResponseException(
          "OCSP response has no nextUpdate: it cannot be cached safely; expected the responder to"
              + " set nextUpdate");
    }
    if (!nextUpdate.isAfter(now)) {
      throw InvalidResponseException.expired(
          "OCSP response expired: nextUpdate " + nextUpdate + " is not after now " + now);
    }
    if (nextUpdate.isBefore(thisUpdate)) {
      throw new InvalidResponseException(
          "OCSP response nextUpdate " + nextUpdate + " is before its thisUpdate " + thisUpdate);
    }
    switch (single.status) {
      case GOOD:
        return new ValidatedResponse(
            der, id, ValidatedResponse.Status.GOOD, thisUpdate, nextUpdate, data.producedAt, null);
      case REVOKED:
        return new ValidatedResponse(
            der,
            id,
            ValidatedResponse.Status.REVOKED,
            thisUpdate,
            nextUpdate,
            data.producedAt,
            single.revocationTime);
      default:
        throw new InvalidResponseException(
            "responder says certStatus unknown for serial "
                + id.serial().toString(16)
                + "; expected good or revoked (is the responder serving this issuer?)");
    }
  }

  private static boolean names(ResponseData data, X509Certificate cert) {
    if (data.responderName != null) {
      return data.responderName.equals(cert.getSubjectX500Principal());
    }
    TbsCertificate tbs;
    try {
      tbs = TbsCertificate.of(cert);
    } catch (Asn1Exception | RuntimeException e) {
      return false;
    }
    return names(data, tbs);
  }

  /** Whether the responderID names the certificate of {@code tbs}; false when it is malformed. */
  private static boolean names(ResponseData data, TbsCertificate tbs) {
    try {
      if (data.responderName != null) {
        return data.responderName.equals(tbs.subject());
      }
      return Arrays.equals(data.responderKeyHash, CertId.sha1(tbs.subjectPublicKey()));
    } catch (Asn1Exception | RuntimeException e) {
      return false;
    }
  }

  private static String describeResponder(ResponseData data) {
    if (data.responderName != null) {
      return "byName " + data.responderName;
    }
    return "byKey " + CertId.hex(data.responderKeyHash);
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
    return "0x" + CertId.hex(Arrays.copyOf(der, n)) + (der.length > n ? "..." : "");
  }

  /** The issuer certificate in the forms the checks need, computed once per validation. */
  private static final class Issuer {
    /** CertID hash algorithm OIDs a response may use, to the JDK's MessageDigest names. */
    private static final Map<String, String> DIGESTS = new HashMap<>();

    static {
      DIGESTS.put(CertId.SHA1, "SHA-1");
      DIGESTS.put("2.16.840.1.101.3.4.2.4", "SHA-224");
      DIGESTS.put("2.16.840.1.101.3.4.2.1", "SHA-256");
      DIGESTS.put("2.16.840.1.101.3.4.2.2", "SHA-384");
      DIGESTS.put("2.16.840.1.101.3.4.2.3", "SHA-512");
    }

    final X500Principal principal;
    final String subject;
    final PublicKey publicKey;
    final byte[] subjectDer;
    final byte[] keyBits;

    /** SHA-1 of {@link #keyBits}: the ResponderID byKey that names this issuer. */
    final byte[] keyHash;

    private Issuer(X509Certificate issuer, byte[] keyBits) {
      this.principal = issuer.getSubjectX500Principal();
      this.subject = principal.toString();
      this.publicKey = issuer.getPublicKey();
      this.subjectDer = principal.getEncoded();
      this.keyBits = keyBits;
      this.keyHash = CertId.sha1(keyBits);
    }

    static Issuer of(X509Certificate issuer, CertId id) throws InvalidResponseException {
      byte[] keyBits;
      try {
        keyBits = TbsCertificate.of(issuer).subjectPublicKey();
      } catch (Asn1Exception | RuntimeException e) {
        throw new InvalidResponseException(
            "cannot read the public key of the issuer certificate "
                + issuer.getSubjectX500Principal()
                + ": "
                + e.getMessage(),
            e);
      }
      Issuer result = new Issuer(issuer, keyBits);
      if (!id.hasIssuerHashes(CertId.sha1(result.subjectDer), result.keyHash)) {
        throw new InvalidResponseException(
            "the issuer certificate given ("
                + result.subject
                + ") is not the issuer named by "
                + id
                + "; cannot validate the response");
      }
      return result;
    }

    boolean isNamedBy(ResponseData data) {
      if (data.responderName != null) {
        return data.responderName.equals(principal);
      }
      return Arrays.equals(data.responderKeyHash, keyHash);
    }

    /**
     * {issuerNameHash, issuerKeyHash} under the CertID hash algorithm {@code oid}; null if unknown.
     */
    byte[][] hashesWith(String oid) {
      String name = DIGESTS.get(oid);
      if (name == null) {
        return null;
      }
      try {
        return new byte[][] {
          MessageDigest.getInstance(name).digest(subjectDer),
          MessageDigest.getInstance(name).digest(keyBits)
        };
      } catch (NoSuchAlgorithmException e) {
        return null;
      }
    }
  }
}
