package dev.staplekeeper.testapps.ocsp;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * What a DER OCSP response says about one certificate, checked the way a careful client would:
 * response status, the single response whose CertID matches (issuer name/key hash and serial),
 * certStatus, times, and who signed it.
 *
 * @param responseStatus "successful", "malformedRequest", "internalError", "tryLater",
 *     "sigRequired", "unauthorized", "status(N)" or "unparseable"
 * @param certStatus "good", "revoked", "unknown", or null when no single response matches the
 *     CertID (or the response is not successful)
 * @param certIdMatches whether a single response has the CertID of the checked certificate
 * @param thisUpdate of the matching single response (or the first one), null if none
 * @param nextUpdate null if absent
 * @param signer "issuer" (the issuer's key), "delegated" (a certificate issued by the issuer with
 *     id-kp-OCSPSigning), "delegated-without-eku", "untrusted" (signature verifies only with a
 *     certificate the issuer did not issue), "invalid" (verifies with nothing), or null
 * @param signatureValid signer is "issuer" or "delegated"
 * @param size length of the DER
 */
public record OcspResponseInfo(
    String responseStatus,
    String certStatus,
    boolean certIdMatches,
    Instant thisUpdate,
    Instant nextUpdate,
    Instant producedAt,
    Instant revocationTime,
    String signer,
    boolean signatureValid,
    int size) {

  private static final String OCSP_SIGNING = "1.3.6.1.5.5.7.3.9";

  /** Parses and checks {@code der} for the certificate {@code serial} issued by {@code issuer}. */
  public static OcspResponseInfo parse(byte[] der, X509Certificate issuer, BigInteger serial) {
    OCSPResp resp;
    BasicOCSPResp basic;
    try {
      resp = new OCSPResp(der);
      if (resp.getStatus() != 0) {
        return error(statusName(resp.getStatus()), der.length);
      }
      basic = (BasicOCSPResp) resp.getResponseObject();
      if (basic == null) {
        return error("unparseable", der.length);
      }
    } catch (Exception e) {
      return error("unparseable", der.length);
    }
    SingleResp match = null;
    X509CertificateHolder issuerHolder = holder(issuer);
    for (SingleResp single : basic.getResponses()) {
      try {
        if (single.getCertID().getSerialNumber().equals(serial)
            && single
                .getCertID()
                .matchesIssuer(issuerHolder, new JcaDigestCalculatorProviderBuilder().build())) {
          match = single;
          break;
        }
      } catch (Exception e) {
        // unknown hash algorithm: not a match
      }
    }
    SingleResp shown = match != null ? match : first(basic);
    String certStatus = null;
    Instant revoked = null;
    if (match != null) {
      CertificateStatus st = match.getCertStatus();
      if (st == CertificateStatus.GOOD) {
        certStatus = "good";
      } else if (st instanceof RevokedStatus r) {
        certStatus = "revoked";
        revoked = r.getRevocationTime().toInstant();
      } else if (st instanceof UnknownStatus) {
        certStatus = "unknown";
      }
    }
    String signer = signer(basic, issuer);
    return new OcspResponseInfo(
        "successful",
        certStatus,
        match != null,
        shown == null ? null : shown.getThisUpdate().toInstant(),
        shown == null || shown.getNextUpdate() == null ? null : shown.getNextUpdate().toInstant(),
        basic.getProducedAt().toInstant(),
        revoked,
        signer,
        signer.equals("issuer") || signer.equals("delegated"),
        der.length);
  }

  /**
   * Whether a server may staple this (design table, row 5): successful, CertID matches, signed by
   * the issuer or an authorized delegate, good or revoked, thisUpdate not after now + skew,
   * nextUpdate present and after now.
   */
  public boolean valid(Instant now, Duration skew) {
    return "successful".equals(responseStatus)
        && certIdMatches
        && signatureValid
        && ("good".equals(certStatus) || "revoked".equals(certStatus))
        && thisUpdate != null
        && !thisUpdate.isAfter(now.plus(skew))
        && nextUpdate != null
        && nextUpdate.isAfter(now);
  }

  /** Seconds from {@code now} to nextUpdate (negative once expired), or null without nextUpdate. */
  public Long secondsLeft(Instant now) {
    return nextUpdate == null ? null : Duration.between(now, nextUpdate).toSeconds();
  }

  private static OcspResponseInfo error(String status, int size) {
    return new OcspResponseInfo(status, null, false, null, null, null, null, null, false, size);
  }

  /** RFC 6960 OCSPResponseStatus names. */
  public static String statusName(int status) {
    return switch (status) {
      case 0 -> "successful";
      case 1 -> "malformedRequest";
      case 2 -> "internalError";
      case 3 -> "tryLater";
      case 5 -> "sigRequired";
      case 6 -> "unauthorized";
      default -> "status(" + status + ")";
    };
  }

  private static SingleResp first(BasicOCSPResp basic) {
    SingleResp[] all = basic.getResponses();
    return all.length == 0 ? null : all[0];
  }

  private static String signer(BasicOCSPResp basic, X509Certificate issuer) {
    if (verifies(basic, issuer)) {
      return "issuer";
    }
    String result = "invalid";
    for (X509CertificateHolder h : basic.getCerts()) {
      X509Certificate c;
      try {
        c =
            (X509Certificate)
                CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(h.getEncoded()));
      } catch (Exception e) {
        continue;
      }
      if (!verifies(basic, c)) {
        continue;
      }
      if (!issuedBy(c, issuer)) {
        result = "untrusted";
        continue;
      }
      if (!hasOcspSigning(c)) {
        result = "delegated-without-eku";
        continue;
      }
      return "delegated";
    }
    return result;
  }

  private static boolean issuedBy(X509Certificate cert, X509Certificate issuer) {
    try {
      if (!cert.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
        return false;
      }
      cert.verify(issuer.getPublicKey());
      cert.checkValidity();
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static boolean hasOcspSigning(X509Certificate cert) {
    try {
      List<String> eku = cert.getExtendedKeyUsage();
      return eku != null && eku.contains(OCSP_SIGNING);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static boolean verifies(BasicOCSPResp basic, X509Certificate cert) {
    try {
      return basic.isSignatureValid(new JcaContentVerifierProviderBuilder().build(cert));
    } catch (Exception e) {
      return false;
    }
  }

  private static X509CertificateHolder holder(X509Certificate cert) {
    try {
      return new X509CertificateHolder(cert.getEncoded());
    } catch (Exception e) {
      throw new IllegalArgumentException("bad issuer certificate", e);
    }
  }
}
