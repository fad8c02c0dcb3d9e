package dev.staplekeeper.agent.asn1;

import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * Reads a GeneralizedTime in its DER form ({@code YYYYMMDDHHMMSSZ}, optionally with a fraction of a
 * second without trailing zeros: {@code YYYYMMDDHHMMSS.fffZ}): UTC, seconds present. That is the
 * form RFC 5280 and strict clients require; any other form is refused with {@link Asn1Exception}.
 * Parsed by hand, so the first OCSP response does not load the JDK's date formatting.
 */
public final class GeneralizedTime {
  private static final int FIXED_LENGTH = 14;

  private GeneralizedTime() {}

  public static Instant read(Tlv tlv, String what) throws Asn1Exception {
    tlv.expect(Tlv.GENERALIZED_TIME, what);
    if (tlv.isConstructed() || tlv.contentLength() > 40) {
      throw new Asn1Exception(what + ": malformed GeneralizedTime");
    }
    String text = new String(tlv.rawContent(), StandardCharsets.US_ASCII);
    int length = text.length();
    if (length < FIXED_LENGTH + 1 || text.charAt(length - 1) != 'Z') {
      throw notDer(what, text);
    }
    int nanos = 0;
    if (length > FIXED_LENGTH + 1) {
      String fraction = text.substring(FIXED_LENGTH + 1, length - 1);
      if (text.charAt(FIXED_LENGTH) != '.'
          || fraction.isEmpty()
          || fraction.length() > 9
          || fraction.charAt(fraction.length() - 1) == '0') {
        throw notDer(what, text);
      }
      nanos = digits(text, FIXED_LENGTH + 1, fraction.length(), what);
      for (int i = fraction.length(); i < 9; i++) {
        nanos *= 10;
      }
    }
    try {
      return LocalDateTime.of(
              digits(text, 0, 4, what),
              digits(text, 4, 2, what),
              digits(text, 6, 2, what),
              digits(text, 8, 2, what),
              digits(text, 10, 2, what),
              digits(text, 12, 2, what),
              nanos)
          .toInstant(ZoneOffset.UTC);
    } catch (DateTimeException e) {
      throw new Asn1Exception(what + ": invalid GeneralizedTime \"" + text + "\"");
    }
  }

  private static int digits(String text, int from, int count, String what) throws Asn1Exception {
    int value = 0;
    for (int i = from; i < from + count; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        throw notDer(what, text);
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  private static Asn1Exception notDer(String what, String text) {
    return new Asn1Exception(
        what
            + ": GeneralizedTime \""
            + text.replaceAll("[^\\x20-\\x7e]", "?")
            + "\" is not in the DER form YYYYMMDDHHMMSS[.fff]Z");
  }
}
