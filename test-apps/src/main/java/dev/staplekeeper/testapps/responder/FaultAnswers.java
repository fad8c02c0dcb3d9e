package dev.staplekeeper.testapps.responder;

import dev.staplekeeper.testapps.ocsp.OcspResponseFactory;
import dev.staplekeeper.testapps.ocsp.OcspResponseFactory.Signer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPReq;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.bouncycastle.cert.ocsp.Req;

/**
 * What the {@link OcspResponder} answers to one HTTP request in each {@link FaultMode} that answers
 * at all (DOWN, HANG and SLOW are timing, handled by the responder; SLOW and HANG are answered here
 * in HEALTHY terms once their wait is over). Pure: no sockets, no state besides what {@link
 * Settings} carries.
 */
final class FaultAnswers {
  static final String PATH = "/ocsp";
  static final int OVERSIZED_BYTES = 2 * 1024 * 1024;
  static final Duration EXPIRED_BY = Duration.ofHours(1);
  static final Duration FUTURE_BY = Duration.ofHours(3);
  static final Duration REVOKED_AGO = Duration.ofMinutes(10);
  private static final String OCSP_RESPONSE = "application/ocsp-response";
  private static final SecureRandom RANDOM = new SecureRandom();

  /** An HTTP answer and how the responder's log line describes it. */
  record Answer(int status, String contentType, byte[] body, String description) {}

  /** The responder's current settings. {@code raw} is what RAW serves (never null). */
  record Settings(OcspResponseFactory factory, Duration validity, Signer signer, byte[] raw) {}

  private FaultAnswers() {}

  static Answer answer(FaultMode m, HttpRequest req, OCSPReq ocspReq, Settings settings) {
    String path = req.path();
    if (!path.equals(PATH) && !path.startsWith(PATH + "/")) {
      return text(404, "not found\n", "HTTP 404");
    }
    if (!req.method().equals("POST") && !req.method().equals("GET")) {
      return text(405, "method not allowed\n", "HTTP 405");
    }
    switch (m) {
      case UNAUTHORIZED:
        return error(OCSPRespBuilder.UNAUTHORIZED, "unauthorized");
      case TRY_LATER:
        return error(OCSPRespBuilder.TRY_LATER, "tryLater");
      case INTERNAL_ERROR:
        return error(OCSPRespBuilder.INTERNAL_ERROR, "internalError");
      case MALFORMED_REQUEST:
        return error(OCSPRespBuilder.MALFORMED_REQUEST, "malformedRequest");
      case SIG_REQUIRED:
        return error(OCSPRespBuilder.SIG_REQUIRED, "sigRequired");
      case HTTP_500:
        return text(500, "responder broken\n", "HTTP 500");
      case GARBAGE:
        byte[] garbage = new byte[1024];
        RANDOM.nextBytes(garbage);
        garbage[0] = 0x5a; // never a DER SEQUENCE
        return new Answer(200, OCSP_RESPONSE, garbage, "garbage (1024 random bytes)");
      case RAW:
        return new Answer(
            200,
            OCSP_RESPONSE,
            settings.raw().clone(),
            "raw (" + settings.raw().length + " bytes)");
      default:
        break;
    }
    if (ocspReq == null || ocspReq.getRequestList().length == 0) {
      return error(OCSPRespBuilder.MALFORMED_REQUEST, "malformedRequest (unparseable request)");
    }
    OcspResponseFactory f = settings.factory();
    List<CertificateID> ids = new ArrayList<>();
    for (Req r : ocspReq.getRequestList()) {
      if (!f.issuedByIntermediate(r.getCertID())) {
        return error(OCSPRespBuilder.UNAUTHORIZED, "unauthorized (unknown issuer)");
      }
      ids.add(r.getCertID());
    }
    return signed(m, f.forCertIds(ids), ocspReq, settings);
  }

  /** A plain-text answer for bad HTTP (not an OCSP answer). */
  static Answer text(int status, String body, String description) {
    return new Answer(status, "text/plain", body.getBytes(StandardCharsets.US_ASCII), description);
  }

  private static Answer signed(
      FaultMode m, OcspResponseFactory.Spec spec, OCSPReq ocspReq, Settings settings) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Duration v = settings.validity();
    spec.signer(settings.signer()).thisUpdate(now).validity(v);
    Extension nonce = ocspReq.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce);
    if (nonce != null) {
      spec.extension(nonce);
    }
    String what = "good";
    switch (m) {
      case EXPIRED -> {
        spec.thisUpdate(now.minus(v).minus(EXPIRED_BY)).nextUpdate(now.minus(EXPIRED_BY));
        what = "good, expired";
      }
      case FUTURE -> {
        spec.thisUpdate(now.plus(FUTURE_BY));
        what = "good, thisUpdate in the future";
      }
      case NO_NEXT_UPDATE -> {
        spec.nextUpdate(null);
        what = "good, no nextUpdate";
      }
      case REVOKED -> {
        spec.revoked(now.minus(REVOKED_AGO), 1);
        what = "revoked";
      }
      case UNKNOWN -> {
        spec.unknown();
        what = "unknown";
      }
      case WRONG_SIGNER -> {
        spec.signer(Signer.ROGUE);
        what = "good, forged";
      }
      case WRONG_CERT_ID -> {
        BigInteger asked = ocspReq.getRequestList()[0].getCertID().getSerialNumber();
        spec.serial(asked.add(BigInteger.ONE));
        what = "good, for serial + 1";
      }
      case DELEGATED_NO_EKU -> {
        spec.signer(Signer.DELEGATED_NO_EKU);
        what = "good, signer without OCSPSigning EKU";
      }
      case OVERSIZED -> {
        spec.padding(OVERSIZED_BYTES);
        what = "good, padded to 2 MiB";
      }
      default -> {
        // HEALTHY, SLOW and HANG (answered after the hang in HEALTHY terms)
      }
    }
    byte[] body = spec.build();
    return new Answer(
        200,
        OCSP_RESPONSE,
        body,
        "successful "
            + what
            + " signer="
            + spec.signer().name().toLowerCase(Locale.ROOT)
            + " validity="
            + v.toSeconds()
            + "s");
  }

  private static Answer error(int status, String description) {
    return new Answer(200, OCSP_RESPONSE, OcspResponseFactory.errorResponse(status), description);
  }

  /** The OCSP request of a POST body or a GET path, or null if there is none or it is invalid. */
  static OCSPReq parseOcspRequest(HttpRequest req) {
    try {
      if (req.method().equals("POST")) {
        return req.body().length == 0 ? null : new OCSPReq(req.body());
      }
      if (req.method().equals("GET") && req.path().startsWith(PATH + "/")) {
        String encoded = percentDecode(req.path().substring(PATH.length() + 1));
        encoded = encoded.replace(' ', '+');
        byte[] der;
        try {
          der = Base64.getDecoder().decode(encoded);
        } catch (IllegalArgumentException e) {
          der = Base64.getUrlDecoder().decode(encoded);
        }
        return new OCSPReq(der);
      }
    } catch (IOException | RuntimeException e) {
      return null;
    }
    return null;
  }

  private static String percentDecode(String s) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%' && i + 2 < s.length()) {
        out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        out.write(c);
      }
    }
    return out.toString(StandardCharsets.ISO_8859_1);
  }

  /** The requested serials in hex, comma separated; {@code -} without a request. */
  static String serialOf(OCSPReq req) {
    if (req == null || req.getRequestList().length == 0) {
      return "-";
    }
    StringBuilder sb = new StringBuilder();
    for (Req r : req.getRequestList()) {
      sb.append(sb.length() == 0 ? "" : ",").append(r.getCertID().getSerialNumber().toString(16));
    }
    return sb.toString();
  }
}
