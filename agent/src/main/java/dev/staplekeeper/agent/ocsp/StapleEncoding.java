package dev.staplekeeper.agent.ocsp;

import dev.staplekeeper.agent.asn1.Asn1Exception;
import dev.staplekeeper.agent.asn1.Der;
import dev.staplekeeper.agent.asn1.StrictDer;
import dev.staplekeeper.agent.asn1.Tlv;

/**
 * The bytes StapleKeeper staples: a canonical DER OCSPResponse it encodes itself.
 *
 * <p>Contract: the signed part ({@code tbsResponseData}) is taken exactly as the responder sent it
 * and must already be DER ({@link #signedTbs} refuses BER, indefinite or non-minimal lengths there:
 * those bytes are covered by the signature and cannot be re-encoded without breaking it). The
 * unsigned framing around it (OCSPResponse, ResponseBytes, the OCTET STRING, BasicOCSPResponse,
 * signature) is re-encoded in DER whatever its received encoding, signatureAlgorithm is written in
 * its canonical form ({@link ResponseSignature#canonicalIdentifier}), and {@code certs} holds at
 * most the one delegated signer certificate that verified the signature. {@link #encode} checks
 * that its output is DER all the way down.
 */
final class StapleEncoding {

  private static final int SUCCESSFUL = 0;

  private StapleEncoding() {}

  /**
   * The {@code tbsResponseData} bytes of {@code basic} exactly as received.
   *
   * @throws InvalidResponseException when they are not DER
   */
  static byte[] signedTbs(BasicResponse basic) throws InvalidResponseException {
    String problem = StrictDer.problem(basic.tbsResponseData);
    if (problem != null) {
      throw new InvalidResponseException(
          "tbsResponseData is not DER: it holds "
              + problem
              + "; the signature covers these bytes, so they cannot be re-encoded, and strict-DER"
              + " clients (Firefox's mozilla::pkix) would reject them");
    }
    return basic.tbsResponseData.encoded();
  }

  /**
   * The canonical DER OCSPResponse (successful, id-pkix-ocsp-basic) of {@code basic} with {@code
   * certs} replaced by {@code signer} alone (none when null).
   *
   * @param verifiedTbs the tbsResponseData bytes whose signature was verified
   * @param signer the DER delegated signer certificate, or null when the issuer signed
   */
  static byte[] encode(
      BasicResponse basic, ResponseSignature algorithm, byte[] verifiedTbs, byte[] signer)
      throws InvalidResponseException {
    try {
      byte[] basicDer =
          Der.sequence(
              verifiedTbs,
              algorithm.canonicalIdentifier(),
              Der.bitString(basic.signature),
              signer == null ? new byte[0] : Der.explicit(0, Der.sequence(signer)));
      byte[] response =
          Der.sequence(
              Der.enumerated(SUCCESSFUL),
              Der.explicit(0, Der.sequence(Der.oid(OcspOids.BASIC), Der.octetString(basicDer))));
      String problem = StrictDer.problem(Tlv.parse(response, "re-encoded OCSPResponse"));
      if (problem != null) {
        throw new InvalidResponseException(
            "the re-encoded OCSP response is not DER (" + problem + "); refusing to staple it");
      }
      return response;
    } catch (Asn1Exception e) {
      throw new InvalidResponseException(
          "cannot re-encode the OCSP response: " + e.getMessage(), e);
    }
  }
}
