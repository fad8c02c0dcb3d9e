package dev.staplekeeper.agent.ocsp;

import java.io.IOException;
import java.util.Arrays;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.ocsp.BasicOCSPResponse;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.ocsp.OCSPResponse;
import org.bouncycastle.asn1.ocsp.OCSPResponseStatus;
import org.bouncycastle.asn1.ocsp.ResponseBytes;
import org.bouncycastle.asn1.ocsp.ResponseData;
import org.bouncycastle.asn1.x509.Certificate;

/**
 * The bytes StapleKeeper staples: a canonical DER OCSPResponse it encodes itself.
 *
 * <p>Contract: the signed part ({@code tbsResponseData}) is taken exactly as the responder sent it
 * and must already be DER ({@link #signedTbs} refuses BER, indefinite or non-minimal lengths there:
 * those bytes are covered by the signature and cannot be re-encoded without breaking it). The
 * unsigned framing around it (OCSPResponse, ResponseBytes, the OCTET STRING, BasicOCSPResponse,
 * signatureAlgorithm, signature) is re-encoded in DER whatever its received encoding, and {@code
 * certs} holds at most the one delegated signer certificate that verified the signature. {@link
 * #encode} checks that the {@code tbsResponseData} of its output is byte for byte the one whose
 * signature was verified.
 */
final class StapleEncoding {
  private static final int SEQUENCE = 0x30;

  private StapleEncoding() {}

  /**
   * The {@code tbsResponseData} bytes of an encoded BasicOCSPResponse exactly as received.
   *
   * @throws InvalidResponseException when they are not a definite-length DER encoding
   */
  static byte[] signedTbs(byte[] basic) throws InvalidResponseException {
    int[] outer = header(basic, 0);
    if (outer == null || (basic[0] & 0xff) != SEQUENCE) {
      throw new InvalidResponseException("BasicOCSPResponse is not a SEQUENCE");
    }
    int start = outer[0];
    int[] tbs = header(basic, start);
    if (tbs == null || (basic[start] & 0xff) != SEQUENCE) {
      throw new InvalidResponseException("tbsResponseData is not a SEQUENCE");
    }
    if (tbs[1] < 0) {
      throw notDer("it uses an indefinite length");
    }
    long end = (long) tbs[0] + tbs[1];
    if (end > basic.length) {
      throw new InvalidResponseException("tbsResponseData is truncated");
    }
    byte[] raw = Arrays.copyOfRange(basic, start, (int) end);
    byte[] der;
    try {
      der = ResponseData.getInstance(ASN1Primitive.fromByteArray(raw)).getEncoded(ASN1Encoding.DER);
    } catch (IOException | RuntimeException e) {
      throw new InvalidResponseException("tbsResponseData does not parse: " + e.getMessage(), e);
    }
    if (!Arrays.equals(raw, der)) {
      throw notDer(
          "its "
              + raw.length
              + " bytes differ from their "
              + der.length
              + "-byte DER re-encoding (BER, indefinite or non-minimal lengths, or another"
              + " non-canonical form)");
    }
    return raw;
  }

  private static InvalidResponseException notDer(String why) {
    return new InvalidResponseException(
        "tbsResponseData is not DER: "
            + why
            + "; the signature covers these bytes, so they cannot be re-encoded, and strict-DER"
            + " clients (Firefox's mozilla::pkix) would reject them");
  }

  /**
   * The canonical DER OCSPResponse (successful, id-pkix-ocsp-basic) of {@code basic} with {@code
   * certs} replaced by {@code signer} alone (none when null).
   *
   * @param verifiedTbs the tbsResponseData bytes whose signature was verified
   */
  static byte[] encode(BasicOCSPResponse basic, byte[] verifiedTbs, Certificate signer)
      throws InvalidResponseException {
    try {
      BasicOCSPResponse reduced =
          new BasicOCSPResponse(
              basic.getTbsResponseData(),
              basic.getSignatureAlgorithm(),
              basic.getSignature(),
              signer == null ? null : new DERSequence(signer));
      byte[] basicDer = reduced.getEncoded(ASN1Encoding.DER);
      if (!Arrays.equals(signedTbs(basicDer), verifiedTbs)) {
        throw new InvalidResponseException(
            "re-encoding changed tbsResponseData; refusing to staple bytes whose signature was not"
                + " verified");
      }
      return new OCSPResponse(
              new OCSPResponseStatus(OCSPResponseStatus.SUCCESSFUL),
              new ResponseBytes(
                  OCSPObjectIdentifiers.id_pkix_ocsp_basic, new DEROctetString(basicDer)))
          .getEncoded(ASN1Encoding.DER);
    } catch (IOException e) {
      throw new InvalidResponseException("cannot re-encode the OCSP response: " + e, e);
    }
  }

  /**
   * The TLV header at {@code at}: {content start, content length or -1 for indefinite}; null when
   * truncated or malformed. Single-byte tags only (all OCSP tags are).
   */
  private static int[] header(byte[] b, int at) {
    if (at + 2 > b.length || (b[at] & 0x1f) == 0x1f) {
      return null;
    }
    int first = b[at + 1] & 0xff;
    if (first < 0x80) {
      return new int[] {at + 2, first};
    }
    if (first == 0x80) {
      return new int[] {at + 2, -1};
    }
    int n = first & 0x7f;
    if (n > 4 || at + 2 + n > b.length) {
      return null;
    }
    long len = 0;
    for (int i = 0; i < n; i++) {
      len = (len << 8) | (b[at + 2 + i] & 0xff);
    }
    if (len > Integer.MAX_VALUE) {
      return null;
    }
    return new int[] {at + 2 + n, (int) len};
  }
}
