package dev.staplekeeper.testapps.responder;

import java.util.Locale;

/** What the {@link OcspResponder} does with each request. */
public enum FaultMode {
  HEALTHY("good response, signed, thisUpdate now, nextUpdate now + validity"),
  DOWN("listening socket closed: connections are refused (same port reopened on leaving DOWN)"),
  HANG("request read, no answer until the mode changes (then answered in the new mode) or close"),
  UNAUTHORIZED("OCSPResponse unauthorized(6), HTTP 200"),
  TRY_LATER("OCSPResponse tryLater(3), HTTP 200"),
  INTERNAL_ERROR("OCSPResponse internalError(2), HTTP 200"),
  MALFORMED_REQUEST("OCSPResponse malformedRequest(1), HTTP 200"),
  SIG_REQUIRED("OCSPResponse sigRequired(5), HTTP 200"),
  GARBAGE("1 KiB of random bytes (not DER), HTTP 200 application/ocsp-response"),
  HTTP_500("HTTP 500 with a text body"),
  SLOW("healthy answer after the slow delay (default 3 s)"),
  EXPIRED("signed good response with nextUpdate 1 h in the past"),
  FUTURE("signed good response with thisUpdate 3 h in the future"),
  NO_NEXT_UPDATE("signed good response without nextUpdate"),
  REVOKED("signed response, certStatus revoked (10 min ago, keyCompromise)"),
  UNKNOWN("signed response, certStatus unknown"),
  WRONG_SIGNER("good response signed by the rogue key, rogue certificate included"),
  WRONG_CERT_ID("signed good response for serial + 1 (CertID does not match the request)"),
  DELEGATED_NO_EKU("good response signed by a delegated signer without id-kp-OCSPSigning"),
  OVERSIZED("signed good response padded to 2 MiB by a non-critical extension"),
  RAW("exactly the bytes set with /raw?set=BASE64 (e.g. crafted DER), HTTP 200");

  private final String description;

  FaultMode(String description) {
    this.description = description;
  }

  public String description() {
    return description;
  }

  /** The CLI name: lower case with dashes, e.g. {@code try-later}. */
  public String cliName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** Parses {@code try-later}, {@code try_later} or {@code TRY_LATER}. */
  public static FaultMode parse(String text) {
    String norm = text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
    try {
      return valueOf(norm);
    } catch (IllegalArgumentException e) {
      StringBuilder known = new StringBuilder();
      for (FaultMode m : values()) {
        known.append(known.length() == 0 ? "" : ", ").append(m.cliName());
      }
      throw new IllegalArgumentException(
          "unknown fault mode '" + text + "' (known: " + known + ")", e);
    }
  }
}
