package dev.staplekeeper.agent.ocsp;

import dev.staplekeeper.agent.asn1.Asn1Exception;
import dev.staplekeeper.agent.asn1.Tlv;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads X.509 {@code Extensions} (RFC 5280 section 4.1): a SEQUENCE OF {extnID, critical BOOLEAN
 * DEFAULT FALSE, extnValue OCTET STRING}. Only which ones are critical matters to stapling: clients
 * reject a response with a critical extension they do not know.
 *
 * <p>Contract: {@link #critical} returns the OIDs of the critical extensions, in order, or throws
 * {@link Asn1Exception} for a malformed extension, a repeated extnID or an explicitly encoded
 * {@code FALSE} (DER omits a DEFAULT value, so such bytes were never DER).
 */
final class Extensions {
  private Extensions() {}

  static List<String> critical(Tlv extensions, String what) throws Asn1Exception {
    List<String> critical = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (Tlv extension : extensions.children(Tlv.SEQUENCE, what)) {
      List<Tlv> fields = extension.children(Tlv.SEQUENCE, what);
      if (fields.size() < 2 || fields.size() > 3) {
        throw new Asn1Exception(what + ": an Extension has " + fields.size() + " fields");
      }
      String oid = fields.get(0).oid(what);
      if (!seen.add(oid)) {
        throw new Asn1Exception(what + ": extension " + oid + " appears twice");
      }
      if (fields.size() == 3) {
        Tlv flag = fields.get(1).expect(Tlv.BOOLEAN, what + " critical");
        if (flag.contentLength() != 1 || flag.encoded()[2] == 0) {
          throw new Asn1Exception(
              what
                  + ": extension "
                  + oid
                  + " encodes critical FALSE explicitly; DER omits a DEFAULT value");
        }
        critical.add(oid);
      }
      fields.get(fields.size() - 1).expect(Tlv.OCTET_STRING, what + " extnValue");
    }
    return critical;
  }
}
