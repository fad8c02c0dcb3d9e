package dev.staplekeeper.agent.asn1;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StrictDerTest {
  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "3003 020100, ",
    "3081 03 020100, non-minimal length",
    "3082 0003 020100, non-minimal length",
    "3080 020100 0000, indefinite or non-minimal",
    "3006 2404 04020102, a constructed OCTET STRING",
    "3003 0101 01, a BOOLEAN that is not 0x00 or 0xFF",
    "3003 0101 ff, ",
    "3004 0202 0001, redundant leading bytes",
    "3004 0202 ff80, redundant leading bytes",
    "3004 0202 0080, ",
    "3002 0200, an empty INTEGER",
    "3003 0501 00, a NULL with content",
    "3004 0302 0101, a BIT STRING whose unused bits are not zero",
    "3004 0302 0880, a BIT STRING with 8 unused bits",
    "3004 0302 0180, ",
    "3106 0201 02 0201 01, a SET whose elements are not in DER order",
    "3106 0201 01 0201 02, ",
    "a003 020100, ",
  })
  void findsEachKindOfNonDer(String hex, String problem) throws Exception {
    Tlv tlv = Tlv.parse(HexFormat.of().parseHex(hex.replace(" ", "")), "test");
    if (problem == null) {
      assertThat(StrictDer.problem(tlv)).isNull();
    } else {
      assertThat(StrictDer.problem(tlv)).contains(problem);
    }
  }
}
