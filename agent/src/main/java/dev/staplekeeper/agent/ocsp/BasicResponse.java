package dev.staplekeeper.agent.ocsp;

import dev.staplekeeper.agent.asn1.Asn1Exception;
import dev.staplekeeper.agent.asn1.Tlv;
import java.util.Collections;
import java.util.List;

/**
 * The framing of a BasicOCSPResponse (RFC 6960 section 4.2.1): {@code tbsResponseData} as received
 * (read by {@link ResponseData}), {@code signatureAlgorithm}, {@code signature} and the optional
 * {@code certs}. BER is accepted here: {@link StapleEncoding} re-encodes this framing in DER.
 *
 * <p>Contract: {@link #read} returns the four fields or throws {@link Asn1Exception} saying what is
 * wrong; it does not interpret {@code tbsResponseData} or the certificates.
 */
final class BasicResponse {
  final Tlv tbsResponseData;
  final Tlv signatureAlgorithm;
  final byte[] signature;
  final List<Tlv> certs;

  private BasicResponse(
      Tlv tbsResponseData, Tlv signatureAlgorithm, byte[] signature, List<Tlv> certs) {
    this.tbsResponseData = tbsResponseData;
    this.signatureAlgorithm = signatureAlgorithm;
    this.signature = signature;
    this.certs = certs;
  }

  static BasicResponse read(byte[] encoded) throws Asn1Exception {
    List<Tlv> fields =
        Tlv.parse(encoded, "BasicOCSPResponse").children(Tlv.SEQUENCE, "BasicOCSPResponse");
    if (fields.size() < 3 || fields.size() > 4) {
      throw new Asn1Exception(
          "BasicOCSPResponse has " + fields.size() + " fields; expected 3 or 4");
    }
    Tlv tbs = fields.get(0).expect(Tlv.SEQUENCE, "tbsResponseData");
    Tlv algorithm = fields.get(1).expect(Tlv.SEQUENCE, "signatureAlgorithm");
    byte[] signature = fields.get(2).bitStringBytes("signature");
    List<Tlv> certs = Collections.emptyList();
    if (fields.size() == 4) {
      certs =
          fields
              .get(3)
              .expect(Tlv.CONTEXT | Tlv.CONSTRUCTED, "certs")
              .explicitContent("certs")
              .children(Tlv.SEQUENCE, "certs");
    }
    return new BasicResponse(tbs, algorithm, signature, certs);
  }
}
