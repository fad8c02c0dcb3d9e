package dev.staplekeeper.agent.asn1;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;

/**
 * OBJECT IDENTIFIER values between their content octets and the dotted form ({@code 1.2.840...}).
 *
 * <p>Contract: {@link #decode} accepts only the canonical encoding (no sub-identifier starts with a
 * 0x80 padding octet, the last octet ends a sub-identifier) and throws {@link Asn1Exception}
 * otherwise; {@link #encode} is for StapleKeeper's own constants and throws {@link
 * IllegalArgumentException} on a malformed one.
 */
public final class Oids {
  /** Longest OID content read; real ones are under 30 bytes. */
  private static final int MAX_BYTES = 100;

  private Oids() {}

  static String decode(byte[] content, String what) throws Asn1Exception {
    if (content.length == 0 || content.length > MAX_BYTES) {
      throw new Asn1Exception(what + ": OBJECT IDENTIFIER of " + content.length + " bytes");
    }
    if ((content[content.length - 1] & 0x80) != 0) {
      throw new Asn1Exception(what + ": OBJECT IDENTIFIER ends inside a sub-identifier");
    }
    StringBuilder sb = new StringBuilder(content.length * 3);
    BigInteger value = BigInteger.ZERO;
    boolean first = true;
    boolean startOfSub = true;
    for (byte b : content) {
      if (startOfSub && (b & 0xff) == 0x80) {
        throw new Asn1Exception(what + ": OBJECT IDENTIFIER with a padded sub-identifier");
      }
      value = value.shiftLeft(7).or(BigInteger.valueOf(b & 0x7f));
      startOfSub = (b & 0x80) == 0;
      if (!startOfSub) {
        continue;
      }
      if (first) {
        int arc = value.compareTo(BigInteger.valueOf(80)) >= 0 ? 2 : value.intValue() / 40;
        sb.append(arc).append('.').append(value.subtract(BigInteger.valueOf(40L * arc)));
        first = false;
      } else {
        sb.append('.').append(value);
      }
      value = BigInteger.ZERO;
    }
    return sb.toString();
  }

  /** The content octets of the OID {@code dotted}. */
  public static byte[] encode(String dotted) {
    String[] arcs = dotted.split("\\.");
    if (arcs.length < 2) {
      throw new IllegalArgumentException("not an OID: " + dotted);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BigInteger firstTwo =
        BigInteger.valueOf(40L * Integer.parseInt(arcs[0])).add(new BigInteger(arcs[1]));
    base128(firstTwo, out);
    for (int i = 2; i < arcs.length; i++) {
      base128(new BigInteger(arcs[i]), out);
    }
    return out.toByteArray();
  }

  private static void base128(BigInteger value, ByteArrayOutputStream out) {
    int groups = Math.max(1, (value.bitLength() + 6) / 7);
    for (int g = groups - 1; g >= 0; g--) {
      int bits = value.shiftRight(7 * g).intValue() & 0x7f;
      out.write(g == 0 ? bits : bits | 0x80);
    }
  }
}
