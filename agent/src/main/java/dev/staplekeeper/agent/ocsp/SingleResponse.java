package dev.staplekeeper.agent.ocsp;

import dev.staplekeeper.agent.asn1.Asn1Exception;
import dev.staplekeeper.agent.asn1.GeneralizedTime;
import dev.staplekeeper.agent.asn1.Tlv;
import java.math.BigInteger;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * One {@code SingleResponse} of a BasicOCSPResponse (RFC 6960 section 4.2.1): the CertID it answers
 * for, its certStatus, thisUpdate, the optional nextUpdate and its critical extensions.
 *
 * <p>Contract: {@link #read} returns the fields or throws {@link Asn1Exception} saying which is
 * malformed; a certStatus other than good [0], revoked [1] or unknown [2] is malformed.
 */
final class SingleResponse {
  enum CertStatus {
    GOOD,
    REVOKED,
    UNKNOWN;

    String displayName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The CertID's hash algorithm, as an OID. */
  final String hashAlgorithm;

  final byte[] issuerNameHash;
  final byte[] issuerKeyHash;
  final BigInteger serial;
  final CertStatus status;

  /** When revoked: the revocationTime; else null. */
  final Instant revocationTime;

  final Instant thisUpdate;

  /** Null when absent. */
  final Instant nextUpdate;

  final List<String> criticalExtensions;

  private SingleResponse(
      String hashAlgorithm,
      byte[] issuerNameHash,
      byte[] issuerKeyHash,
      BigInteger serial,
      CertStatus status,
      Instant revocationTime,
      Instant thisUpdate,
      Instant nextUpdate,
      List<String> criticalExtensions) {
    this.hashAlgorithm = hashAlgorithm;
    this.issuerNameHash = issuerNameHash;
    this.issuerKeyHash = issuerKeyHash;
    this.serial = serial;
    this.status = status;
    this.revocationTime = revocationTime;
    this.thisUpdate = thisUpdate;
    this.nextUpdate = nextUpdate;
    this.criticalExtensions = criticalExtensions;
  }

  static SingleResponse read(Tlv single) throws Asn1Exception {
    List<Tlv> fields = single.children(Tlv.SEQUENCE, "SingleResponse");
    if (fields.size() < 3) {
      throw new Asn1Exception("SingleResponse has " + fields.size() + " fields; expected 3 to 5");
    }
    List<Tlv> certId = fields.get(0).children(Tlv.SEQUENCE, "CertID");
    if (certId.size() != 4) {
      throw new Asn1Exception("CertID has " + certId.size() + " fields; expected 4");
    }
    List<Tlv> algorithm = certId.get(0).children(Tlv.SEQUENCE, "CertID hashAlgorithm");
    if (algorithm.isEmpty() || algorithm.size() > 2) {
      throw new Asn1Exception("CertID hashAlgorithm has " + algorithm.size() + " fields");
    }
    String hashAlgorithm = algorithm.get(0).oid("CertID hashAlgorithm");
    byte[] nameHash = certId.get(1).octetString("CertID issuerNameHash");
    byte[] keyHash = certId.get(2).octetString("CertID issuerKeyHash");
    BigInteger serial = certId.get(3).integer("CertID serialNumber");

    Tlv status = fields.get(1);
    CertStatus certStatus;
    Instant revocationTime = null;
    switch (status.tag()) {
      case Tlv.CONTEXT:
        certStatus = CertStatus.GOOD;
        break;
      case Tlv.CONTEXT | Tlv.CONSTRUCTED | 1:
        certStatus = CertStatus.REVOKED;
        List<Tlv> info = status.children();
        if (info.isEmpty() || info.size() > 2) {
          throw new Asn1Exception("RevokedInfo has " + info.size() + " fields; expected 1 or 2");
        }
        revocationTime = GeneralizedTime.read(info.get(0), "revocationTime");
        if (info.size() == 2) {
          info.get(1)
              .expect(Tlv.CONTEXT | Tlv.CONSTRUCTED, "revocationReason")
              .explicitContent("revocationReason")
              .enumerated("revocationReason");
        }
        break;
      case Tlv.CONTEXT | 2:
        certStatus = CertStatus.UNKNOWN;
        break;
      default:
        throw new Asn1Exception(
            "certStatus: expected good [0], revoked [1] or unknown [2], got "
                + Tlv.tagName(status.tag()));
    }
    if (certStatus != CertStatus.REVOKED && status.contentLength() != 0) {
      throw new Asn1Exception("certStatus " + certStatus.displayName() + " has content");
    }
    Instant thisUpdate = GeneralizedTime.read(fields.get(2), "thisUpdate");
    int i = 3;
    Instant nextUpdate = null;
    if (i < fields.size() && fields.get(i).tag() == (Tlv.CONTEXT | Tlv.CONSTRUCTED)) {
      nextUpdate =
          GeneralizedTime.read(fields.get(i++).explicitContent("nextUpdate"), "nextUpdate");
    }
    List<String> critical = Collections.emptyList();
    if (i < fields.size() && fields.get(i).tag() == (Tlv.CONTEXT | Tlv.CONSTRUCTED | 1)) {
      critical =
          Extensions.critical(
              fields.get(i++).explicitContent("singleExtensions"), "singleExtensions");
    }
    if (i != fields.size()) {
      throw new Asn1Exception(
          "SingleResponse has an unexpected "
              + Tlv.tagName(fields.get(i).tag())
              + " after its last field");
    }
    return new SingleResponse(
        hashAlgorithm,
        nameHash,
        keyHash,
        serial,
        certStatus,
        revocationTime,
        thisUpdate,
        nextUpdate,
        critical);
  }
}
