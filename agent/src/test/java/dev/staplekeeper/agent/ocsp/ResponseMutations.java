package dev.staplekeeper.agent.ocsp;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Deterministic mutations of a DER OCSPResponse for {@link ResponseMutationTest}: byte-level damage
 * (truncation, flips, insertion, removal, overwrites), TLV-level damage (length rewrites,
 * duplicated and removed TLVs, each with the enclosing lengths fixed up or left stale), BER
 * re-framings of the unsigned framing that the validator must accept, and hostile shapes (deep
 * nesting, huge claimed lengths, wide SEQUENCEs, random bytes behind a SEQUENCE tag).
 *
 * <p>The response is parsed into a tree of definite-length TLVs (single-byte tags, as all OCSP tags
 * are), descending into OCTET STRING and BIT STRING contents that are themselves DER (the
 * BasicOCSPResponse, extension values, an ECDSA signature), so that a mutation can be placed on any
 * TLV and the lengths around it re-encoded.
 */
final class ResponseMutations {
  /** What the validator may do with a mutation. */
  enum Expect {
    /** Accept or reject; if accepted the staple must pass every oracle check. */
    ANY,
    /** A BER re-framing of the unsigned framing: must be accepted (the documented contract). */
    ACCEPT
  }

  /** Where a TLV sits in the response. */
  enum Region {
    /** Unsigned OCSP framing: OCSPResponse, ResponseBytes, BasicOCSPResponse, algorithm, certs. */
    FRAMING,
    /** tbsResponseData and everything in it: covered by the response signature. */
    TBS,
    /** Inside an included certificate (its own signature covers its tbsCertificate). */
    CERT,
    /** Inside the signature BIT STRING's value (an ECDSA-Sig-Value). */
    SIGNATURE_VALUE
  }

  /** {@code at}: the offset in the original where the change is, -1 for whole new inputs. */
  record Mutation(String family, String what, byte[] bytes, Expect expect, int at) {}

  static final int DEEP = 10_000;

  private ResponseMutations() {}

  /** A definite-length TLV at absolute offsets of the parsed array. */
  static final class Tlv {
    final int start;
    final int contentStart;
    final int end;
    final int tag;
    final List<Tlv> kids;

    /** True when kids were parsed from a primitive's content (OCTET STRING, BIT STRING). */
    final boolean encapsulated;

    Region region = Region.FRAMING;
    String path;

    Tlv(int start, int contentStart, int end, int tag, List<Tlv> kids, boolean encapsulated) {
      this.start = start;
      this.contentStart = contentStart;
      this.end = end;
      this.tag = tag;
      this.kids = kids;
      this.encapsulated = encapsulated;
    }

    Tlv kid(int i) {
      return kids.get(i);
    }

    boolean constructed() {
      return (tag & 0x20) != 0;
    }

    int contentLength() {
      return end - contentStart;
    }

    byte[] bytes(byte[] b) {
      return Arrays.copyOfRange(b, start, end);
    }

    byte[] content(byte[] b) {
      return Arrays.copyOfRange(b, contentStart, end);
    }

    List<Tlv> all() {
      List<Tlv> out = new ArrayList<>();
      collect(out);
      return out;
    }

    private void collect(List<Tlv> out) {
      out.add(this);
      if (kids != null) {
        kids.forEach(k -> k.collect(out));
      }
    }

    @Override
    public String toString() {
      return String.format("%02x at %d (path %s, %s)", tag, start, path, region);
    }
  }

  /** A parsed OCSPResponse: the raw bytes and their TLV tree with regions marked. */
  static final class Parsed {
    final byte[] der;
    final Tlv root;
    final Tlv basic;
    final Tlv tbs;

    Parsed(byte[] der) {
      this.der = der;
      this.root = parse(der, 0, der.length, "r");
      if (root == null || root.end != der.length) {
        throw new IllegalArgumentException("not a definite-length DER TLV");
      }
      Tlv octets = root.kid(1).kid(0).kid(1);
      this.basic = octets.kid(0);
      this.tbs = basic.kid(0);
      mark(tbs, Region.TBS);
      if (basic.kids.size() > 3) {
        basic.kid(3).kid(0).kids.forEach(cert -> mark(cert, Region.CERT));
      }
      Tlv signature = basic.kid(2);
      if (signature.kids != null) {
        signature.kids.forEach(k -> mark(k, Region.SIGNATURE_VALUE));
      }
    }

    /** The raw tbsResponseData bytes. */
    byte[] tbsBytes() {
      return tbs.bytes(der);
    }

    /**
     * The response with {@code target} replaced by {@code replacement} and every enclosing length
     * re-encoded (DER) to fit.
     */
    byte[] fixed(Tlv target, byte[] replacement) {
      return encode(root, target, replacement);
    }

    /**
     * The response with {@code target} replaced by {@code replacement}, enclosing lengths stale.
     */
    byte[] raw(Tlv target, byte[] replacement) {
      return splice(der, target.start, target.end, replacement);
    }

    private byte[] encode(Tlv n, Tlv target, byte[] replacement) {
      if (n == target) {
        return replacement;
      }
      if (n.kids == null) {
        return n.bytes(der);
      }
      ByteArrayOutputStream content = new ByteArrayOutputStream();
      if (n.encapsulated && n.tag == 0x03) {
        content.write(der[n.contentStart]);
      }
      for (Tlv k : n.kids) {
        content.writeBytes(encode(k, target, replacement));
      }
      return tlv(n.tag, content.toByteArray());
    }

    private static void mark(Tlv n, Region r) {
      n.all().forEach(t -> t.region = r);
    }
  }

  /**
   * Parses one TLV at {@code at}; null when it is not a definite-length TLV ending by {@code to}.
   */
  static Tlv parse(byte[] b, int at, int to, String path) {
    if (at + 2 > to || (b[at] & 0x1f) == 0x1f) {
      return null;
    }
    int tag = b[at] & 0xff;
    int first = b[at + 1] & 0xff;
    int contentStart = at + 2;
    long len = first;
    if (first == 0x80 || first == 0xff) {
      return null;
    } else if (first > 0x80) {
      int n = first & 0x7f;
      if (n > 3 || contentStart + n > to) {
        return null;
      }
      len = 0;
      for (int i = 0; i < n; i++) {
        len = (len << 8) | (b[contentStart + i] & 0xff);
      }
      contentStart += n;
    }
    int end = (int) (contentStart + len);
    if (len > to - contentStart) {
      return null;
    }
    List<Tlv> kids = null;
    boolean encapsulated = false;
    if ((tag & 0x20) != 0) {
      kids = children(b, contentStart, end, path);
      if (kids == null) {
        return null;
      }
    } else if (tag == 0x04 && len > 0) {
      kids = children(b, contentStart, end, path + ">");
      encapsulated = kids != null;
    } else if (tag == 0x03 && len > 1 && b[contentStart] == 0) {
      kids = children(b, contentStart + 1, end, path + ">");
      encapsulated = kids != null;
    }
    Tlv t = new Tlv(at, contentStart, end, tag, kids, encapsulated);
    t.path = path;
    return t;
  }

  private static List<Tlv> children(byte[] b, int from, int to, String path) {
    List<Tlv> kids = new ArrayList<>();
    int at = from;
    while (at < to) {
      Tlv k = parse(b, at, to, path + "." + kids.size());
      if (k == null) {
        return null;
      }
      kids.add(k);
      at = k.end;
    }
    return kids;
  }

  // --- byte level ---

  static List<Mutation> truncations(byte[] der) {
    List<Mutation> out = new ArrayList<>();
    for (int len = 0; len < der.length; len++) {
      out.add(
          new Mutation(
              "truncate",
              "truncated to " + len + " bytes",
              Arrays.copyOf(der, len),
              Expect.ANY,
              len));
    }
    return out;
  }

  /**
   * Every byte xor 0x01; xor 0x80 and 0xff at every tag and length byte and every 16th other byte.
   */
  static List<Mutation> flips(Parsed p) {
    byte[] der = p.der;
    boolean[] header = new boolean[der.length];
    for (Tlv t : p.root.all()) {
      Arrays.fill(header, t.start, t.contentStart, true);
    }
    List<Mutation> out = new ArrayList<>();
    for (int xor : new int[] {0x01, 0x80, 0xff}) {
      for (int i = 0; i < der.length; i++) {
        if (xor != 0x01 && !header[i] && i % 16 != xor % 16) {
          continue;
        }
        byte[] m = der.clone();
        m[i] ^= (byte) xor;
        out.add(new Mutation("flip", String.format("byte %d ^= 0x%02x", i, xor), m, Expect.ANY, i));
      }
    }
    return out;
  }

  static List<Mutation> insertionsAndRemovals(byte[] der, long seed) {
    Random random = new Random(seed);
    List<Mutation> out = new ArrayList<>();
    for (int i = 0; i < der.length; i++) {
      out.add(
          new Mutation(
              "remove",
              "byte " + i + " removed",
              splice(der, i, i + 1, new byte[0]),
              Expect.ANY,
              i));
    }
    for (int i = 0; i <= der.length; i++) {
      int value = i % 2 == 0 ? 0 : random.nextInt(256);
      out.add(
          new Mutation(
              "insert",
              String.format("0x%02x inserted at %d", value, i),
              splice(der, i, i, new byte[] {(byte) value}),
              Expect.ANY,
              i));
    }
    return out;
  }

  static List<Mutation> overwrites(byte[] der, long seed, int count) {
    Random random = new Random(seed);
    List<Mutation> out = new ArrayList<>();
    for (int n = 0; n < count; n++) {
      int len = 2 + random.nextInt(7);
      int at = random.nextInt(der.length - len);
      byte[] m = der.clone();
      for (int i = 0; i < len; i++) {
        m[at + i] = (byte) random.nextInt(256);
      }
      out.add(
          new Mutation(
              "overwrite",
              "seed " + seed + " #" + n + ": " + len + " random bytes at " + at,
              m,
              Expect.ANY,
              at));
    }
    return out;
  }

  // --- TLV level ---

  /** Every length of every TLV rewritten, with the enclosing lengths fixed up and left stale. */
  static List<Mutation> lengthRewrites(Parsed p) {
    List<Mutation> out = new ArrayList<>();
    for (Tlv t : p.root.all()) {
      byte[] tag = {(byte) t.tag};
      byte[] content = t.content(p.der);
      int len = content.length;
      boolean framing = t.region == Region.FRAMING;
      for (int width = 1; width <= 4; width++) {
        if (width <= minimalWidth(len) || width == 3) {
          continue; // the DER form itself, too narrow, or not needed
        }
        byte[] replaced = concat(tag, longForm(len, width), content);
        String what = "length in " + width + "-byte long form";
        out.add(fixed(p, t, what, replaced, framing));
        if (width == 4) {
          out.add(raw(p, t, what, replaced));
        }
      }
      byte[] indefinite = concat(tag, new byte[] {(byte) 0x80}, content, new byte[2]);
      out.add(fixed(p, t, "indefinite length", indefinite, framing && t.constructed()));
      out.add(raw(p, t, "indefinite length", indefinite));
      byte[] noEoc = concat(tag, new byte[] {(byte) 0x80}, content);
      out.add(raw(p, t, "indefinite length without end-of-contents", noEoc));
      byte[][] claims = {
        {(byte) 0x84, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff},
        {(byte) 0x84, (byte) 0x80, 0, 0, 0},
        {(byte) 0x88, 0, 0, 0, 0, 0, 0, 0, (byte) len},
        {(byte) 0xff},
        {(byte) 0x81},
        header(len + 1),
        header(Math.max(0, len - 1)),
      };
      for (byte[] claim : claims) {
        out.add(raw(p, t, "length bytes " + hex(claim), concat(tag, claim, content)));
      }
    }
    return out;
  }

  /** Each TLV duplicated, removed, or its tag switched between primitive and constructed. */
  static List<Mutation> tlvEdits(Parsed p) {
    List<Mutation> out = new ArrayList<>();
    for (Tlv t : p.root.all()) {
      if (t == p.root) {
        continue;
      }
      byte[] bytes = t.bytes(p.der);
      out.add(fixed(p, t, "duplicated", concat(bytes, bytes), false));
      out.add(raw(p, t, "duplicated", concat(bytes, bytes)));
      out.add(fixed(p, t, "removed", new byte[0], false));
      out.add(raw(p, t, "removed", new byte[0]));
      byte[] retagged = bytes.clone();
      retagged[0] ^= 0x20;
      out.add(fixed(p, t, "constructed bit flipped", retagged, false));
    }
    Tlv octets = p.root.kid(1).kid(0).kid(1);
    byte[] basic = octets.content(p.der);
    out.add(
        fixed(
            p,
            octets,
            "OCTET STRING constructed, two definite chunks",
            tlv(0x24, concat(chunks(basic, basic.length / 2))),
            true));
    out.add(
        fixed(
            p,
            octets,
            "OCTET STRING constructed, indefinite, 1-byte chunks",
            concat(new byte[] {0x24, (byte) 0x80}, concat(chunks(basic, 1)), new byte[] {0, 0}),
            true));
    out.add(
        fixed(
            p,
            octets,
            "OCTET STRING constructed, nested constructed chunk",
            tlv(0x24, tlv(0x24, concat(chunks(basic, 100)))),
            false));
    return out;
  }

  private static byte[][] chunks(byte[] content, int size) {
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < content.length; i += size) {
      out.add(tlv(0x04, Arrays.copyOfRange(content, i, Math.min(content.length, i + size))));
    }
    return out.toArray(new byte[0][]);
  }

  private static Mutation fixed(Parsed p, Tlv t, String what, byte[] replacement, boolean must) {
    return new Mutation(
        "tlv",
        t + ": " + what + ", enclosing lengths fixed",
        p.fixed(t, replacement),
        must ? Expect.ACCEPT : Expect.ANY,
        t.start);
  }

  private static Mutation raw(Parsed p, Tlv t, String what, byte[] replacement) {
    return new Mutation(
        "tlv",
        t + ": " + what + ", enclosing lengths stale",
        p.raw(t, replacement),
        Expect.ANY,
        t.start);
  }

  // --- hostile shapes ---

  /** Deep nesting, huge claims and wide SEQUENCEs, as whole inputs and inside the response. */
  static List<Mutation> hostile(Parsed p) {
    List<Mutation> out = new ArrayList<>();
    byte[] openSeq = repeat(new byte[] {0x30, (byte) 0x80}, DEEP);
    byte[] closeAll = new byte[2 * DEEP];
    byte[] deepIndefinite = concat(openSeq, closeAll);
    byte[] deepDefinite = nestDefinite(0x30, DEEP, new byte[] {5, 0});
    byte[] deepTagged = concat(repeat(new byte[] {(byte) 0xa0, (byte) 0x80}, DEEP), closeAll);
    byte[] deepOctets =
        concat(repeat(new byte[] {0x24, (byte) 0x80}, DEEP), new byte[] {4, 1, 0}, closeAll);
    byte[] deepOctetsDefinite = nestDefinite(0x24, DEEP, new byte[] {4, 1, 0});
    byte[] longTag =
        concat(new byte[] {0x3f}, repeat(new byte[] {(byte) 0x81}, DEEP), new byte[] {1, 0});
    byte[] wideNulls = tlv(0x30, repeat(new byte[] {5, 0}, 100_000));
    byte[] wideEmpty = tlv(0x30, repeat(new byte[] {0x30, 0}, 100_000));
    Object[][] shapes = {
      {"10000 nested 30 80 headers, no end", openSeq},
      {"10000 nested indefinite SEQUENCEs", deepIndefinite},
      {"10000 nested definite SEQUENCEs", deepDefinite},
      {"10000 nested indefinite [0]", deepTagged},
      {"10000 nested indefinite constructed OCTET STRINGs", deepOctets},
      {"10000 nested definite constructed OCTET STRINGs", deepOctetsDefinite},
      {"a tag number of 10000 bytes", longTag},
      {"100000 NULLs in a SEQUENCE", wideNulls},
      {"100000 empty SEQUENCEs in a SEQUENCE", wideEmpty},
    };
    for (Object[] s : shapes) {
      out.add(new Mutation("hostile", "whole input: " + s[0], (byte[]) s[1], Expect.ANY, -1));
    }
    Tlv octets = p.root.kid(1).kid(0).kid(1);
    Tlv basicSeq = p.basic;
    Tlv[] places = {octets, basicSeq, p.tbs};
    for (Object[] s : shapes) {
      byte[] shape = (byte[]) s[1];
      for (Tlv place : places) {
        byte[] inside = place == octets ? tlv(0x04, shape) : tlv(place.tag, shape);
        out.add(
            new Mutation(
                "hostile",
                place + " content replaced by " + s[0],
                p.fixed(place, inside),
                Expect.ANY,
                -1));
      }
      out.add(
          new Mutation(
              "hostile",
              s[0] + " appended to the BasicOCSPResponse as certs",
              p.fixed(
                  basicSeq,
                  tlv(
                      0x30,
                      concat(
                          basicSeq.kid(0).bytes(p.der),
                          basicSeq.kid(1).bytes(p.der),
                          basicSeq.kid(2).bytes(p.der),
                          tlv(0xa0, tlv(0x30, shape))))),
              Expect.ANY,
              -1));
    }
    byte[][] claims = {
      {0x30, (byte) 0x84, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff},
      {0x30, (byte) 0x84, (byte) 0x80, 0, 0, 0},
      {0x30, (byte) 0x84, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xfe},
      {0x30, (byte) 0x88, 0, 0, 0, 0, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff},
      {
        0x30,
        (byte) 0x88,
        0x7f,
        (byte) 0xff,
        (byte) 0xff,
        (byte) 0xff,
        (byte) 0xff,
        (byte) 0xff,
        (byte) 0xff,
        (byte) 0xff
      },
      {0x30, (byte) 0xfe},
      {0x30},
      {0x30, (byte) 0x80},
      {0x30, 0},
    };
    for (byte[] claim : claims) {
      out.add(new Mutation("hostile", "whole input " + hex(claim), claim, Expect.ANY, -1));
      out.add(
          new Mutation(
              "hostile",
              "header " + hex(claim) + " before the response",
              concat(claim, p.der),
              Expect.ANY,
              -1));
      out.add(
          new Mutation(
              "hostile",
              "header " + hex(claim) + " + the response's content",
              concat(claim, p.root.content(p.der)),
              Expect.ANY,
              -1));
    }
    out.add(
        new Mutation(
            "hostile",
            "the response's header with the content of 2000 copies of itself",
            tlv(0x30, repeat(p.der, 2000)),
            Expect.ANY,
            -1));
    return out;
  }

  /** Random bytes behind a SEQUENCE tag, with a random and with a consistent length byte. */
  static List<Mutation> randomSequences(long seed, int count) {
    Random random = new Random(seed);
    List<Mutation> out = new ArrayList<>();
    for (int n = 0; n < count; n++) {
      byte[] body = new byte[random.nextInt(1500)];
      random.nextBytes(body);
      byte[] m = n % 2 == 0 ? concat(new byte[] {0x30}, body) : tlv(0x30, body);
      out.add(
          new Mutation(
              "random",
              "seed "
                  + seed
                  + " #"
                  + n
                  + ": 0x30 + "
                  + (n % 2 == 0 ? "" : "length + ")
                  + body.length
                  + " random bytes",
              m,
              Expect.ANY,
              -1));
    }
    return out;
  }

  // --- encoding helpers ---

  static byte[] tlv(int tag, byte[] content) {
    return concat(new byte[] {(byte) tag}, header(content.length), content);
  }

  /** A DER length. */
  static byte[] header(int len) {
    return len < 0x80 ? new byte[] {(byte) len} : longForm(len, minimalWidth(len));
  }

  private static int minimalWidth(int len) {
    return len < 0x80 ? 0 : len < 0x100 ? 1 : len < 0x10000 ? 2 : len < 0x1000000 ? 3 : 4;
  }

  static byte[] longForm(int len, int width) {
    byte[] h = new byte[width + 1];
    h[0] = (byte) (0x80 | width);
    for (int i = 0; i < width; i++) {
      h[width - i] = (byte) (len >>> (8 * i));
    }
    return h;
  }

  /** {@code depth} TLVs of {@code tag}, each the only content of the one around it. */
  static byte[] nestDefinite(int tag, int depth, byte[] inner) {
    int[] lengths = new int[depth];
    int len = inner.length;
    for (int i = 0; i < depth; i++) {
      lengths[i] = len;
      len += 1 + header(len).length;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(len);
    for (int i = depth - 1; i >= 0; i--) {
      out.write(tag);
      out.writeBytes(header(lengths[i]));
    }
    out.writeBytes(inner);
    return out.toByteArray();
  }

  static byte[] repeat(byte[] unit, int times) {
    byte[] out = new byte[unit.length * times];
    for (int i = 0; i < times; i++) {
      System.arraycopy(unit, 0, out, i * unit.length, unit.length);
    }
    return out;
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  static byte[] splice(byte[] b, int from, int to, byte[] replacement) {
    byte[] out = new byte[b.length - (to - from) + replacement.length];
    System.arraycopy(b, 0, out, 0, from);
    System.arraycopy(replacement, 0, out, from, replacement.length);
    System.arraycopy(b, to, out, from + replacement.length, b.length - to);
    return out;
  }

  static String hex(byte[] b) {
    StringBuilder sb = new StringBuilder();
    for (byte x : b) {
      sb.append(String.format("%02x", x & 0xff));
    }
    return sb.toString();
  }
}
