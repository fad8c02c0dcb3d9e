package dev.staplekeeper.agent.ocsp;

import dev.staplekeeper.agent.asn1.Asn1Exception;
import dev.staplekeeper.agent.asn1.GeneralizedTime;
import dev.staplekeeper.agent.asn1.Tlv;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import javax.security.auth.x500.X500Principal;

/**
 * The signed part of a BasicOCSPResponse (RFC 6960 section 4.2.1, {@code ResponseData}): version
 * (v1 only), responderID, producedAt, the SingleResponses and the critical response extensions.
 *
 * <p>Contract: {@link #read} returns the fields or throws {@link Asn1Exception} saying which field
 * is wrong and how; it checks structure, not meaning (the validator matches CertIDs, times and
 * signer).
 */
final class ResponseData {
  /** The responderID byName, or null when byKey. */
  final X500Principal responderName;

  /** The responderID byKey (SHA-1 of the responder's subjectPublicKey), or null when byName. */
  final byte[] responderKeyHash;

  final Instant producedAt;
  final List<SingleResponse> responses;
  final List<String> criticalExtensions;

  private ResponseData(
      X500Principal responderName,
      byte[] responderKeyHash,
      Instant producedAt,
      List<SingleResponse> responses,
      List<String> criticalExtensions) {
    this.responderName = responderName;
    this.responderKeyHash = responderKeyHash;
    this.producedAt = producedAt;
    this.responses = responses;
    this.criticalExtensions = criticalExtensions;
  }

  static ResponseData read(Tlv tbs) throws Asn1Exception {
    List<Tlv> fields = tbs.children(Tlv.SEQUENCE, "tbsResponseData");
    int i = 0;
    if (i < fields.size() && fields.get(i).tag() == (Tlv.CONTEXT | Tlv.CONSTRUCTED)) {
      int version = fields.get(i++).explicitContent("version").integer("version").intValue();
      if (version != 0) {
        throw new Asn1Exception(
            "ResponseData version is v" + (version + 1) + "; expected v1 (the only one defined)");
      }
    }
    if (fields.size() < i + 3) {
      throw new Asn1Exception(
          "ResponseData has "
              + fields.size()
              + " fields; expected responderID, producedAt and responses");
    }
    Tlv responder = fields.get(i++);
    X500Principal name = null;
    byte[] keyHash = null;
    if (responder.tag() == (Tlv.CONTEXT | Tlv.CONSTRUCTED | 1)) {
      name = principal(responder.explicitContent("responderID byName"));
    } else if (responder.tag() == (Tlv.CONTEXT | Tlv.CONSTRUCTED | 2)) {
      keyHash = responder.explicitContent("responderID byKey").octetString("responderID byKey");
    } else {
      throw new Asn1Exception(
          "responderID: expected [1] byName or [2] byKey, got " + Tlv.tagName(responder.tag()));
    }
    Instant producedAt = GeneralizedTime.read(fields.get(i++), "producedAt");
    List<SingleResponse> responses = new ArrayList<>();
    for (Tlv single : fields.get(i++).children(Tlv.SEQUENCE, "responses")) {
      responses.add(SingleResponse.read(single));
    }
    List<String> critical = Collections.emptyList();
    if (i < fields.size() && fields.get(i).tag() == (Tlv.CONTEXT | Tlv.CONSTRUCTED | 1)) {
      critical =
          Extensions.critical(
              fields.get(i++).explicitContent("responseExtensions"), "responseExtensions");
    }
    if (i != fields.size()) {
      throw new Asn1Exception(
          "ResponseData has an unexpected "
              + Tlv.tagName(fields.get(i).tag())
              + " after its last field");
    }
    return new ResponseData(name, keyHash, producedAt, responses, critical);
  }

  /** An X.501 Name as the JDK compares names (RFC 5280 section 7.1 canonical form). */
  static X500Principal principal(Tlv name) throws Asn1Exception {
    name.expect(Tlv.SEQUENCE, "Name");
    try {
      return new X500Principal(name.encoded());
    } catch (IllegalArgumentException e) {
      throw new Asn1Exception("malformed Name: " + e.getMessage());
    }
  }
}
