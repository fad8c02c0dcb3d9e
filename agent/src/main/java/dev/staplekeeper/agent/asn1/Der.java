package dev.staplekeeper.agent.asn1;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.util.List;

/**
 * Writes DER: each method returns the complete encoding (tag, minimal definite length, content) of
 * one element, so structures are built inside out from byte arrays.
 */
public final class Der {
  private Der() {}

  /** An element with {@code tag} whose content is {@code parts} concatenated. */
  public static byte[] element(int tag, byte[]... parts) {
    int length = 0;
    for (byte[] part : parts) {
      length += part.length;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(length + 6);
    out.write(tag);
    if (length < 0x80) {
      out.write(length);
    } else {
      int n = (32 - Integer.numberOfLeadingZeros(length) + 7) / 8;
      out.write(0x80 | n);
      for (int i = n - 1; i >= 0; i--) {
        out.write(length >>> (8 * i));
      }
    }
    for (byte[] part : parts) {
      out.write(part, 0, part.length);
    }
    return out.toByteArray();
  }

  public static byte[] sequence(byte[]... parts) {
    return element(Tlv.SEQUENCE, parts);
  }

  /** {@code [number] EXPLICIT} around {@code inner}. */
  public static byte[] explicit(int number, byte[] inner) {
    return element(Tlv.CONTEXT | Tlv.CONSTRUCTED | number, inner);
  }

  public static byte[] octetString(byte[] value) {
    return element(Tlv.OCTET_STRING, value);
  }

  /** A BIT STRING of whole bytes. */
  public static byte[] bitString(byte[] value) {
    return element(Tlv.BIT_STRING, new byte[] {0}, value);
  }

  public static byte[] integer(BigInteger value) {
    return element(Tlv.INTEGER, value.toByteArray());
  }

  public static byte[] enumerated(int value) {
    return element(Tlv.ENUMERATED, BigInteger.valueOf(value).toByteArray());
  }

  public static byte[] oid(String dotted) {
    return element(Tlv.OID, Oids.encode(dotted));
  }

  public static byte[] nullValue() {
    return new byte[] {Tlv.NULL, 0};
  }

  /**
   * The DER form of an element read as BER: definite minimal lengths, constructed strings joined
   * into primitive ones. It does not reorder SETs; the caller checks the result with {@link
   * StrictDer} when the input may hold one.
   */
  public static byte[] reencode(Tlv tlv) throws Asn1Exception {
    int tag = tlv.tag();
    boolean universal = (tag & 0xc0) == 0;
    if (!tlv.isConstructed()) {
      return element(tag, tlv.rawContent());
    }
    if (universal && (tag & ~Tlv.CONSTRUCTED) == Tlv.BIT_STRING) {
      return bitString(tlv.bitStringBytes("BIT STRING"));
    }
    if (universal && tag != Tlv.SEQUENCE && tag != Tlv.SET) {
      return element(tag & ~Tlv.CONSTRUCTED, tlv.octets(Tlv.tagName(tag)));
    }
    List<Tlv> children = tlv.children();
    byte[][] parts = new byte[children.size()][];
    for (int i = 0; i < parts.length; i++) {
      parts[i] = reencode(children.get(i));
    }
    return element(tag, parts);
  }
}
