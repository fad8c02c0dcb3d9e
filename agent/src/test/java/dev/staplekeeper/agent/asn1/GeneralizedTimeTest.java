package dev.staplekeeper.agent.asn1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1GeneralizedTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GeneralizedTimeTest {
  private static Tlv time(String text) throws Asn1Exception {
    return Tlv.parse(
        Der.element(Tlv.GENERALIZED_TIME, text.getBytes(StandardCharsets.US_ASCII)), "time");
  }

  @Test
  void readsTheDerForms() throws Exception {
    assertThat(GeneralizedTime.read(time("20261202121148Z"), "t"))
        .isEqualTo(Instant.parse("2026-12-02T12:11:48Z"));
    assertThat(GeneralizedTime.read(time("20261202121148.5Z"), "t"))
        .isEqualTo(Instant.parse("2026-12-02T12:11:48.500Z"));
    assertThat(GeneralizedTime.read(time("20240229235959.123456789Z"), "t"))
        .isEqualTo(Instant.parse("2024-02-29T23:59:59.123456789Z"));
  }

  @Test
  void agreesWithBouncyCastleOnWhatItWrites() throws Exception {
    Instant now = Instant.parse("2031-07-04T01:02:03Z");
    byte[] bc = new ASN1GeneralizedTime(Date.from(now)).getEncoded(ASN1Encoding.DER);
    assertThat(GeneralizedTime.read(Tlv.parse(bc, "t"), "t")).isEqualTo(now);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "20261202121148",
        "202612021211Z",
        "20261202121148+0100",
        "20261202121148.Z",
        "20261202121148.50Z",
        "20261202121148,5Z",
        "2026120212114 Z",
        "20261302121148Z",
        "20260230121148Z",
        "20261202246000Z",
        "+0261202121148Z"
      })
  void refusesEveryOtherForm(String text) {
    assertThatThrownBy(() -> GeneralizedTime.read(time(text), "thisUpdate"))
        .isInstanceOf(Asn1Exception.class)
        .hasMessageStartingWith("thisUpdate: ");
  }
}
