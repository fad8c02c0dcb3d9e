package dev.staplekeeper.agent.asn1;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * One ASN.1 element (tag, length, value) read from a byte array, in BER: definite lengths (short or
 * long form, minimal or not) and indefinite lengths ended by end-of-contents octets. It is a view:
 * it keeps the array and offsets, and copies only when asked.
 *
 * <p>Contract: every reader method either returns a well-formed element lying wholly inside the
 * bytes it was given or throws {@link Asn1Exception} with a message that says what was expected and
 * where; no other exception escapes for any input. Single-byte tags only (every OCSP, X.509 and
 * PKIX structure StapleKeeper reads uses them). Nesting deeper than {@link #MAX_DEPTH} is refused,
 * so hostile input cannot exhaust the stack. {@link #isDer()} says whether this element, all the
 * way down, is also valid DER (see {@link StrictDer}).
 */
public final class Tlv {
  /** Deepest nesting read; the deepest OCSP response structure is about 12 levels. */
  public static final int MAX_DEPTH = 40;

  public static final int BOOLEAN = 0x01;
  public static final int INTEGER = 0x02;
  public static final int BIT_STRING = 0x03;
  public static final int OCTET_STRING = 0x04;
  public static final int NULL = 0x05;
  public static final int OID = 0x06;
  public static final int ENUMERATED = 0x0a;
  public static final int GENERALIZED_TIME = 0x18;
  public static final int SEQUENCE = 0x30;
  public static final int SET = 0x31;

  /** The bit that marks a constructed encoding. */
  public static final int CONSTRUCTED = 0x20;

  /** The class bits of a context-specific tag. */
  public static final int CONTEXT = 0x80;

  private final byte[] bytes;
  private final int start;
  private final int contentStart;
  private final int contentEnd;
  private final int end;
  private final int tag;
  private final int depth;
  private final boolean minimalDefiniteLength;

  private Tlv(
      byte[] bytes,
      int start,
      int contentStart,
      int contentEnd,
      int end,
      int tag,
      int depth,
      boolean minimalDefiniteLength) {
    this.bytes = bytes;
    this.start = start;
    this.contentStart = contentStart;
    this.contentEnd = contentEnd;
    this.end = end;
    this.tag = tag;
    this.depth = depth;
    this.minimalDefiniteLength = minimalDefiniteLength;
  }

  /**
   * Reads {@code bytes} as exactly one element: no byte may follow it.
   *
   * @param what what the bytes should be, for the error message (e.g. "OCSPResponse")
   */
  public static Tlv parse(byte[] bytes, String what) throws Asn1Exception {
    if (bytes.length == 0) {
      throw new Asn1Exception("no bytes; expected a DER-encoded " + what);
    }
    Tlv tlv = read(bytes, 0, bytes.length, 0, what);
    if (tlv.end != bytes.length) {
      throw new Asn1Exception(
          (bytes.length - tlv.end)
              + " unexpected bytes after the "
              + what
              + " ("
              + bytes.length
              + " bytes in all)");
    }
    return tlv;
  }

  /**
   * The element an X.509 extension's value holds, from the bytes {@code
   * X509Certificate.getExtensionValue} returns (the value wrapped in an OCTET STRING).
   */
  public static Tlv parseExtensionValue(byte[] extension, String what) throws Asn1Exception {
    return parse(parse(extension, "extension").octetString(what), what);
  }

  private static Tlv read(byte[] b, int at, int limit, int depth, String what)
      throws Asn1Exception {
    if (depth > MAX_DEPTH) {
      throw new Asn1Exception("nested more than " + MAX_DEPTH + " levels deep in the " + what);
    }
    if (at + 2 > limit) {
      throw truncated(what, at);
    }
    int tag = b[at] & 0xff;
    if ((tag & 0x1f) == 0x1f) {
      throw new Asn1Exception(
          "multi-byte tag at offset " + at + " in the " + what + "; not used by OCSP");
    }
    int first = b[at + 1] & 0xff;
    int contentStart;
    long length;
    boolean minimal = true;
    if (first < 0x80) {
      contentStart = at + 2;
      length = first;
    } else if (first == 0x80) {
      if ((tag & CONSTRUCTED) == 0) {
        throw new Asn1Exception(
            "indefinite length on a primitive element at offset " + at + " in the " + what);
      }
      return readIndefinite(b, at, limit, tag, depth, what);
    } else {
      int n = first & 0x7f;
      if (n > 4) {
        throw new Asn1Exception(
            "length of " + n + " bytes at offset " + at + " in the " + what + "; too long");
      }
      contentStart = at + 2 + n;
      if (contentStart > limit) {
        throw truncated(what, at);
      }
      length = 0;
      for (int i = 0; i < n; i++) {
        length = (length << 8) | (b[at + 2 + i] & 0xff);
      }
      // DER: the shortest form; a long form below 128 or with a leading zero byte is BER only.
      minimal = length >= 0x80 && (b[at + 2] & 0xff) != 0;
    }
    if (length > limit - contentStart) {
      throw new Asn1Exception(
          "element at offset "
              + at
              + " claims "
              + length
              + " bytes but only "
              + (limit - contentStart)
              + " remain in the "
              + what);
    }
    int contentEnd = contentStart + (int) length;
    return new Tlv(b, at, contentStart, contentEnd, contentEnd, tag, depth, minimal);
  }

  private static Tlv readIndefinite(byte[] b, int at, int limit, int tag, int depth, String what)
      throws Asn1Exception {
    int contentStart = at + 2;
    int p = contentStart;
    while (true) {
      if (p + 2 > limit) {
        throw truncated(what, at);
      }
      if (b[p] == 0 && b[p + 1] == 0) {
        return new Tlv(b, at, contentStart, p, p + 2, tag, depth, false);
      }
      p = read(b, p, limit, depth + 1, what).end;
    }
  }

  private static Asn1Exception truncated(String what, int at) {
    return new Asn1Exception("truncated " + what + ": the element at offset " + at + " is cut off");
  }

  /** The identifier octet, e.g. {@link #SEQUENCE} or {@code 0xa0} for {@code [0]} constructed. */
  public int tag() {
    return tag;
  }

  public boolean isConstructed() {
    return (tag & CONSTRUCTED) != 0;
  }

  /** True when the length is definite and in its shortest form. */
  boolean hasMinimalDefiniteLength() {
    return minimalDefiniteLength;
  }

  /** The number of content bytes (for an indefinite length: up to the end-of-contents octets). */
  public int contentLength() {
    return contentEnd - contentStart;
  }

  /** The whole element, header included, exactly as it was read. */
  public byte[] encoded() {
    return Arrays.copyOfRange(bytes, start, end);
  }

  /** The content bytes of a primitive element exactly as read. */
  byte[] rawContent() {
    return Arrays.copyOfRange(bytes, contentStart, contentEnd);
  }

  byte byteAt(int contentOffset) {
    return bytes[contentStart + contentOffset];
  }

  /**
   * The elements inside a constructed element, in order.
   *
   * @throws Asn1Exception when this element is primitive or its content is not whole elements
   */
  public List<Tlv> children() throws Asn1Exception {
    if (!isConstructed()) {
      throw new Asn1Exception("expected a constructed element, got tag " + tagName(tag));
    }
    if (contentStart == contentEnd) {
      return Collections.emptyList();
    }
    List<Tlv> children = new ArrayList<>();
    int p = contentStart;
    while (p < contentEnd) {
      Tlv child = read(bytes, p, contentEnd, depth + 1, "content of " + tagName(tag));
      children.add(child);
      p = child.end;
    }
    return children;
  }

  /** The children of this element, which must have {@code expectedTag}. */
  public List<Tlv> children(int expectedTag, String what) throws Asn1Exception {
    return expect(expectedTag, what).children();
  }

  /** This element, after checking that its tag is {@code expectedTag}. */
  public Tlv expect(int expectedTag, String what) throws Asn1Exception {
    if (tag != expectedTag) {
      throw new Asn1Exception(
          what + ": expected tag " + tagName(expectedTag) + ", got " + tagName(tag));
    }
    return this;
  }

  /** The only element inside an explicitly tagged element ({@code [n] EXPLICIT}). */
  public Tlv explicitContent(String what) throws Asn1Exception {
    List<Tlv> inside = children();
    if (inside.size() != 1) {
      throw new Asn1Exception(
          what + ": expected one element inside " + tagName(tag) + ", got " + inside.size());
    }
    return inside.get(0);
  }

  /**
   * The value of a string type (OCTET STRING, or the tag given) as bytes: a primitive encoding's
   * content, or the concatenated content of a constructed (BER) one.
   */
  public byte[] octets(String what) throws Asn1Exception {
    if (!isConstructed()) {
      return rawContent();
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(contentLength());
    for (Tlv chunk : children()) {
      if ((chunk.tag & ~CONSTRUCTED) != (tag & ~CONSTRUCTED)) {
        throw new Asn1Exception(what + ": a constructed string holds a " + tagName(chunk.tag));
      }
      byte[] part = chunk.octets(what);
      out.write(part, 0, part.length);
    }
    return out.toByteArray();
  }

  /** An OCTET STRING's value (primitive or constructed). */
  public byte[] octetString(String what) throws Asn1Exception {
    if (tag != (OCTET_STRING | CONSTRUCTED)) {
      expect(OCTET_STRING, what);
    }
    return octets(what);
  }

  /** A BIT STRING's value without its unused-bits octet; it must have no unused bits. */
  public byte[] bitStringBytes(String what) throws Asn1Exception {
    if ((tag & ~CONSTRUCTED) != BIT_STRING) {
      throw new Asn1Exception(
          what + ": expected tag " + tagName(BIT_STRING) + ", got " + tagName(tag));
    }
    if (isConstructed()) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(contentLength());
      for (Tlv chunk : children()) {
        byte[] part = chunk.bitStringBytes(what);
        out.write(part, 0, part.length);
      }
      return out.toByteArray();
    }
    byte[] content = rawContent();
    if (content.length == 0) {
      throw new Asn1Exception(what + ": empty BIT STRING (no unused-bits octet)");
    }
    if (content[0] != 0) {
      throw new Asn1Exception(
          what + ": BIT STRING with " + content[0] + " unused bits; expected whole bytes");
    }
    return Arrays.copyOfRange(content, 1, content.length);
  }

  /** An INTEGER's value. */
  public BigInteger integer(String what) throws Asn1Exception {
    return integerValue(INTEGER, what);
  }

  /** An ENUMERATED's value. */
  public BigInteger enumerated(String what) throws Asn1Exception {
    return integerValue(ENUMERATED, what);
  }

  private BigInteger integerValue(int expectedTag, String what) throws Asn1Exception {
    expect(expectedTag, what);
    if (contentLength() == 0) {
      throw new Asn1Exception(what + ": empty " + tagName(expectedTag));
    }
    if (contentLength() > 64) {
      throw new Asn1Exception(what + ": " + contentLength() + "-byte integer; too long");
    }
    return new BigInteger(rawContent());
  }

  /** An OBJECT IDENTIFIER in dotted form, e.g. {@code 1.3.6.1.5.5.7.48.1.1}. */
  public String oid(String what) throws Asn1Exception {
    expect(OID, what);
    return Oids.decode(rawContent(), what);
  }

  /** True when this is a NULL with no content. */
  public boolean isNull() {
    return tag == NULL && contentLength() == 0;
  }

  /** True when this element, all the way down, is valid DER. */
  public boolean isDer() {
    return StrictDer.problem(this) == null;
  }

  /** A name for a tag in messages: {@code SEQUENCE}, {@code [0] constructed}, {@code 0x1c}. */
  public static String tagName(int tag) {
    switch (tag) {
      case BOOLEAN:
        return "BOOLEAN";
      case INTEGER:
        return "INTEGER";
      case BIT_STRING:
        return "BIT STRING";
      case OCTET_STRING:
        return "OCTET STRING";
      case NULL:
        return "NULL";
      case OID:
        return "OBJECT IDENTIFIER";
      case ENUMERATED:
        return "ENUMERATED";
      case GENERALIZED_TIME:
        return "GeneralizedTime";
      case SEQUENCE:
        return "SEQUENCE";
      case SET:
        return "SET";
      default:
        if ((tag & 0xc0) == CONTEXT) {
          return "[" + (tag & 0x1f) + "]" + ((tag & CONSTRUCTED) != 0 ? " constructed" : "");
        }
        return String.format("0x%02x", tag);
    }
  }
}
