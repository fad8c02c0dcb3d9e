package dev.staplekeeper.agent.asn1;

import java.util.List;

/**
 * Whether an element is valid DER (X.690 section 10) all the way down: the one encoding that strict
 * clients such as Firefox's mozilla::pkix accept and that a signature over re-encoded bytes would
 * still match.
 *
 * <p>Contract: {@link #problem} returns null for DER, else a short description of the first
 * violation found: an indefinite or non-minimal length, a constructed string, a BOOLEAN other than
 * 0x00/0xFF, a non-minimal or empty INTEGER/ENUMERATED, a NULL with content, a BIT STRING with more
 * than 7 unused bits or non-zero padding, an end-of-contents element, a SET OF out of order, or
 * bytes that do not parse. It never throws.
 */
public final class StrictDer {
  private StrictDer() {}

  /** Null when {@code tlv} is DER, else what is not. */
  public static String problem(Tlv tlv) {
    try {
      return check(tlv);
    } catch (Asn1Exception e) {
      return e.getMessage();
    }
  }

  private static String check(Tlv tlv) throws Asn1Exception {
    String name = Tlv.tagName(tlv.tag());
    if (!tlv.hasMinimalDefiniteLength()) {
      return name + " with an indefinite or non-minimal length";
    }
    int tag = tlv.tag();
    if (tag == 0) {
      return "an end-of-contents element";
    }
    if ((tag & 0xc0) == 0 && tlv.isConstructed() && tag != Tlv.SEQUENCE && tag != Tlv.SET) {
      return "a constructed " + Tlv.tagName(tag & ~Tlv.CONSTRUCTED);
    }
    if (tlv.isConstructed()) {
      List<Tlv> children = tlv.children();
      for (Tlv child : children) {
        String problem = check(child);
        if (problem != null) {
          return problem;
        }
      }
      if (tag == Tlv.SET) {
        for (int i = 1; i < children.size(); i++) {
          if (compare(children.get(i - 1).encoded(), children.get(i).encoded()) > 0) {
            return "a SET whose elements are not in DER order";
          }
        }
      }
      return null;
    }
    return primitiveProblem(tlv);
  }

  private static String primitiveProblem(Tlv tlv) {
    int length = tlv.contentLength();
    switch (tlv.tag()) {
      case Tlv.BOOLEAN:
        if (length != 1 || (tlv.byteAt(0) != 0 && tlv.byteAt(0) != (byte) 0xff)) {
          return "a BOOLEAN that is not 0x00 or 0xFF";
        }
        return null;
      case Tlv.INTEGER:
      case Tlv.ENUMERATED:
        if (length == 0) {
          return "an empty " + Tlv.tagName(tlv.tag());
        }
        if (length > 1
            && ((tlv.byteAt(0) == 0 && tlv.byteAt(1) >= 0)
                || (tlv.byteAt(0) == (byte) 0xff && tlv.byteAt(1) < 0))) {
          return "an " + Tlv.tagName(tlv.tag()) + " with redundant leading bytes";
        }
        return null;
      case Tlv.NULL:
        return length == 0 ? null : "a NULL with content";
      case Tlv.BIT_STRING:
        if (length == 0) {
          return "an empty BIT STRING";
        }
        int unused = tlv.byteAt(0);
        if (unused < 0 || unused > 7 || (length == 1 && unused != 0)) {
          return "a BIT STRING with " + unused + " unused bits";
        }
        if (unused > 0 && (tlv.byteAt(length - 1) & ((1 << unused) - 1)) != 0) {
          return "a BIT STRING whose unused bits are not zero";
        }
        return null;
      default:
        return null;
    }
  }

  /** X.690 11.6: SET OF elements in ascending order of their encodings, padded with zeros. */
  private static int compare(byte[] a, byte[] b) {
    int n = Math.max(a.length, b.length);
    for (int i = 0; i < n; i++) {
      int x = i < a.length ? a[i] & 0xff : 0;
      int y = i < b.length ? b[i] & 0xff : 0;
      if (x != y) {
        return x - y;
      }
    }
    return 0;
  }
}
