package dev.staplekeeper.agent.ocsp;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Re-encodes a DER OCSPResponse the way an on-path attacker can without breaking its signature (or
 * the way a careless responder would): BER indefinite lengths, non-minimal long-form lengths, a
 * constructed OCTET STRING, separately for the unsigned framing and for {@code tbsResponseData}.
 */
public final class Asn1Mutator {
  public enum Form {
    DER,
    /** Constructed values with indefinite length (0x80 ... 00 00), OCTET STRING in chunks. */
    INDEFINITE,
    /** Every length in the four-byte long form (0x84 xx xx xx xx). */
    LONG_LENGTHS
  }

  private Asn1Mutator() {}

  /** The response with its framing in {@code outer} and its tbsResponseData in {@code tbs} form. */
  public static byte[] mutate(byte[] response, Form outer, Form tbs) {
    Node root = parse(response);
    Node responseBytes = root.kids.get(1).kids.get(0);
    Node octets = responseBytes.kids.get(1);
    Node basic = parse(octets.content);
    Node tbsNode = basic.kids.get(0);
    tbsNode.verbatim = encode(tbsNode, tbs);
    byte[] basicBytes = encode(basic, outer);
    if (outer == Form.INDEFINITE) {
      int half = basicBytes.length / 2;
      Node constructed = new Node(0x24, null, new ArrayList<>());
      constructed.kids.add(new Node(0x04, Arrays.copyOf(basicBytes, half), null));
      constructed.kids.add(
          new Node(0x04, Arrays.copyOfRange(basicBytes, half, basicBytes.length), null));
      responseBytes.kids.set(1, constructed);
    } else {
      octets.content = basicBytes;
    }
    return encode(root, outer);
  }

  static final class Node {
    final int tag;
    byte[] content;
    final List<Node> kids;
    byte[] verbatim;

    Node(int tag, byte[] content, List<Node> kids) {
      this.tag = tag;
      this.content = content;
      this.kids = kids;
    }
  }

  /** Parses definite-length DER with single-byte tags into a tree. */
  static Node parse(byte[] der) {
    int[] pos = {0};
    Node n = parse(der, pos);
    if (pos[0] != der.length) {
      throw new IllegalArgumentException("trailing bytes");
    }
    return n;
  }

  private static Node parse(byte[] b, int[] pos) {
    int tag = b[pos[0]++] & 0xff;
    int first = b[pos[0]++] & 0xff;
    int len;
    if (first < 0x80) {
      len = first;
    } else {
      len = 0;
      for (int i = 0; i < (first & 0x7f); i++) {
        len = (len << 8) | (b[pos[0]++] & 0xff);
      }
    }
    int end = pos[0] + len;
    if ((tag & 0x20) == 0) {
      Node n = new Node(tag, Arrays.copyOfRange(b, pos[0], end), null);
      pos[0] = end;
      return n;
    }
    List<Node> kids = new ArrayList<>();
    while (pos[0] < end) {
      kids.add(parse(b, pos));
    }
    return new Node(tag, null, kids);
  }

  static byte[] encode(Node n, Form form) {
    if (n.verbatim != null) {
      return n.verbatim;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(n.tag);
    if (n.kids == null) {
      length(out, n.content.length, form);
      out.writeBytes(n.content);
      return out.toByteArray();
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (Node k : n.kids) {
      body.writeBytes(encode(k, form));
    }
    if (form == Form.INDEFINITE) {
      out.write(0x80);
      out.writeBytes(body.toByteArray());
      out.write(0);
      out.write(0);
    } else {
      length(out, body.size(), form);
      out.writeBytes(body.toByteArray());
    }
    return out.toByteArray();
  }

  private static void length(ByteArrayOutputStream out, int len, Form form) {
    if (form == Form.LONG_LENGTHS) {
      out.write(0x84);
      out.write(len >>> 24);
      out.write(len >>> 16);
      out.write(len >>> 8);
      out.write(len);
    } else if (len < 0x80) {
      out.write(len);
    } else if (len < 0x100) {
      out.write(0x81);
      out.write(len);
    } else if (len < 0x10000) {
      out.write(0x82);
      out.write(len >>> 8);
      out.write(len);
    } else {
      out.write(0x83);
      out.write(len >>> 16);
      out.write(len >>> 8);
      out.write(len);
    }
  }
}
