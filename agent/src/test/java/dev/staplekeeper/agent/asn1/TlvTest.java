package dev.staplekeeper.agent.asn1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.BEROctetString;
import org.bouncycastle.asn1.BERSequence;
import org.bouncycastle.asn1.DEROctetString;
import org.junit.jupiter.api.Test;

class TlvTest {
  private static byte[] hex(String s) {
    return HexFormat.of().parseHex(s.replace(" ", ""));
  }

  @Test
  void readsDefiniteShortAndLongForms() throws Exception {
    byte[] big = new byte[300];
    byte[] encoded = Der.sequence(Der.integer(BigInteger.valueOf(-129)), Der.octetString(big));
    List<Tlv> fields = Tlv.parse(encoded, "test").children(Tlv.SEQUENCE, "test");

    assertThat(fields.get(0).integer("n")).isEqualTo(-129);
    assertThat(fields.get(1).octetString("o")).isEqualTo(big);
    assertThat(Tlv.parse(encoded, "test").isDer()).isTrue();
  }

  @Test
  void readsBerThatBouncyCastleWrites() throws Exception {
    ASN1EncodableVector v = new ASN1EncodableVector();
    v.add(new ASN1Integer(7));
    byte[] chunked = new BEROctetString(new byte[2500], 1000).getEncoded();
    v.add(new BEROctetString(new byte[2500], 1000));
    byte[] ber = new BERSequence(v).getEncoded(ASN1Encoding.BER);
    assertThat(ber[1]).as("indefinite length").isEqualTo((byte) 0x80);
    assertThat(chunked[0]).as("constructed OCTET STRING").isEqualTo((byte) 0x24);

    Tlv tlv = Tlv.parse(ber, "test");
    List<Tlv> fields = tlv.children();

    assertThat(fields.get(0).integer("n")).isEqualTo(7);
    assertThat(fields.get(1).octetString("o")).hasSize(2500);
    assertThat(tlv.isDer()).isFalse();
    assertThat(Der.reencode(tlv))
        .isEqualTo(new BERSequence(v).getEncoded(ASN1Encoding.DER))
        .isEqualTo(
            Der.sequence(
                Der.integer(BigInteger.valueOf(7)),
                new DEROctetString(new byte[2500]).getEncoded()));
  }

  @Test
  void refusesTrailingBytesTruncationAndLengthsPastTheEnd() {
    assertThatThrownBy(() -> Tlv.parse(hex("3000 00"), "thing"))
        .isInstanceOf(Asn1Exception.class)
        .hasMessageContaining("1 unexpected bytes after the thing");
    assertThatThrownBy(() -> Tlv.parse(hex("3003 0201"), "thing"))
        .hasMessageContaining("claims 3 bytes but only 2 remain");
    assertThatThrownBy(() -> Tlv.parse(hex("30 84 7fffffff 00"), "thing"))
        .hasMessageContaining("claims 2147483647 bytes");
    assertThatThrownBy(() -> Tlv.parse(hex("30 85 0000000001 00"), "thing"))
        .hasMessageContaining("too long");
    assertThatThrownBy(() -> Tlv.parse(hex("30 80 0201 01"), "thing"))
        .hasMessageContaining("truncated thing");
    assertThatThrownBy(() -> Tlv.parse(new byte[0], "thing")).hasMessageContaining("no bytes");
    assertThatThrownBy(() -> Tlv.parse(hex("04 80 0000"), "thing"))
        .hasMessageContaining("indefinite length on a primitive");
    assertThatThrownBy(() -> Tlv.parse(hex("1f 01 00"), "thing"))
        .hasMessageContaining("multi-byte tag");
  }

  @Test
  void refusesNestingBeyondTheLimitWithoutExhaustingTheStack() {
    byte[] bomb = new byte[200_000];
    for (int i = 0; i < bomb.length; i += 2) {
      bomb[i] = 0x30;
      bomb[i + 1] = (byte) 0x80;
    }
    assertThatThrownBy(() -> Tlv.parse(bomb, "bomb"))
        .isInstanceOf(Asn1Exception.class)
        .hasMessageContaining("nested more than " + Tlv.MAX_DEPTH);

    byte[] definite = new byte[0];
    for (int i = 0; i < 100; i++) {
      definite = Der.sequence(definite);
    }
    Tlv deep = null;
    try {
      deep = Tlv.parse(definite, "deep");
    } catch (Asn1Exception e) {
      throw new AssertionError(e);
    }
    assertThat(StrictDer.problem(deep)).contains("nested more than");
    Tlv inner = deep;
    Throwable thrown = null;
    try {
      for (int i = 0; i < 100; i++) {
        inner = inner.children().get(0);
      }
    } catch (Asn1Exception e) {
      thrown = e;
    }
    assertThat(thrown).hasMessageContaining("nested more than");
  }

  @Test
  void readsOidsAndRefusesNonCanonicalOnes() throws Exception {
    for (String oid : List.of("1.3.6.1.5.5.7.48.1.1", "2.999.3", "1.2.840.113549.1.1.11", "0.9")) {
      byte[] encoded = Der.oid(oid);
      assertThat(Tlv.parse(encoded, "oid").oid("oid")).isEqualTo(oid);
      assertThat(encoded)
          .isEqualTo(new org.bouncycastle.asn1.ASN1ObjectIdentifier(oid).getEncoded());
    }
    assertThatThrownBy(() -> Tlv.parse(hex("0603 2b8001"), "x").oid("x"))
        .hasMessageContaining("padded sub-identifier");
    assertThatThrownBy(() -> Tlv.parse(hex("0602 2b86"), "x").oid("x"))
        .hasMessageContaining("ends inside a sub-identifier");
  }

  @Test
  void bitStringsMustBeWholeBytes() throws Exception {
    assertThat(Tlv.parse(hex("0303 00abcd"), "b").bitStringBytes("b")).isEqualTo(hex("abcd"));
    assertThatThrownBy(() -> Tlv.parse(hex("0303 04abc0"), "b").bitStringBytes("b"))
        .hasMessageContaining("4 unused bits");
    assertThatThrownBy(() -> Tlv.parse(hex("0300"), "b").bitStringBytes("b"))
        .hasMessageContaining("empty BIT STRING");
  }

  @Test
  void derWriterMatchesBouncyCastleForEveryLengthForm() throws Exception {
    for (int n : new int[] {0, 1, 127, 128, 255, 256, 65535, 65536, 1 << 20}) {
      byte[] value = new byte[n];
      Arrays.fill(value, (byte) 7);
      assertThat(Der.octetString(value))
          .as("%d", n)
          .isEqualTo(new DEROctetString(value).getEncoded());
    }
    for (long v : new long[] {0, 127, 128, -1, -128, -129, Long.MAX_VALUE}) {
      assertThat(Der.integer(BigInteger.valueOf(v))).isEqualTo(new ASN1Integer(v).getEncoded());
    }
  }
}
