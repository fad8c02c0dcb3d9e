package dev.staplekeeper.testapps.ocsp;

import dev.staplekeeper.testapps.pki.KeyType;
import dev.staplekeeper.testapps.pki.TestPki;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ocsp.BasicOCSPResponse;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.ocsp.OCSPResponse;
import org.bouncycastle.asn1.ocsp.OCSPResponseStatus;
import org.bouncycastle.asn1.ocsp.ResponseBytes;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.BasicOCSPRespBuilder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPException;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.bouncycastle.cert.ocsp.RespID;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.bouncycastle.operator.DigestCalculator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * Builds DER-encoded OCSP responses (RFC 6960) for certificates of a {@link TestPki}: good,
 * revoked, unknown, expired, not yet valid, signed by the issuer, by a delegated signer, by a
 * signer without id-kp-OCSPSigning or by an unrelated key, for the right or a wrong CertID, and the
 * unsigned error responses.
 *
 * <pre>{@code
 * OcspResponseFactory f = new OcspResponseFactory(pki);
 * byte[] good = f.forCertificate(pki.server()).build();
 * byte[] expired = f.forCertificate(pki.server())
 *     .thisUpdate(now.minus(2, HOURS)).nextUpdate(now.minus(1, HOURS)).build();
 * byte[] forged = f.forCertificate(pki.server()).signer(Signer.ROGUE).build();
 * }</pre>
 *
 * <p>The factory is thread-safe; a {@link Spec} is a single-use builder and is not. Times are
 * truncated to whole seconds, as GeneralizedTime in OCSP usually is.
 */
public final class OcspResponseFactory {

  /** Who signs the response. */
  public enum Signer {
    /** The intermediate CA key itself; ResponderID by key hash; no certificates included. */
    ISSUER,
    /** The delegated signer (id-kp-OCSPSigning, issued by the intermediate); its cert included. */
    DELEGATED,
    /** A signer issued by the intermediate without id-kp-OCSPSigning; its cert included. */
    DELEGATED_NO_EKU,
    /** The unrelated rogue key; the rogue self-signed cert is included (a forgery). */
    ROGUE
  }

  /** The certStatus of the single responses. */
  public enum Status {
    GOOD,
    REVOKED,
    UNKNOWN
  }

  /** Private-arc extension used to pad a response ({@link Spec#padding(int)}). */
  public static final ASN1ObjectIdentifier PADDING_EXTENSION =
      new ASN1ObjectIdentifier("1.3.6.1.4.1.99999.77.1");

  /** Default validity (nextUpdate - thisUpdate) of a built response. */
  public static final Duration DEFAULT_VALIDITY = Duration.ofHours(1);

  private final TestPki pki;
  private final Clock clock;

  public OcspResponseFactory(TestPki pki) {
    this(pki, Clock.systemUTC());
  }

  /** With a clock for the default thisUpdate / producedAt. */
  public OcspResponseFactory(TestPki pki, Clock clock) {
    this.pki = Objects.requireNonNull(pki);
    this.clock = Objects.requireNonNull(clock);
  }

  public TestPki pki() {
    return pki;
  }

  /** A response spec for a certificate issued by the PKI's intermediate (SHA-1 CertID). */
  public Spec forCertificate(X509Certificate cert) {
    return new Spec(List.of(certId(cert)));
  }

  /** A response spec for CertIDs taken from a request (any hash algorithm, one response each). */
  public Spec forCertIds(List<CertificateID> ids) {
    if (ids.isEmpty()) {
      throw new IllegalArgumentException("no CertID");
    }
    return new Spec(ids);
  }

  /** A response spec for a CertID taken from a request. */
  public Spec forCertId(CertificateID id) {
    return new Spec(List.of(id));
  }

  /**
   * The SHA-1 CertID (what the JDK and openssl send) of a certificate issued by the intermediate.
   */
  public CertificateID certId(X509Certificate cert) {
    return certId(pki.intermediate(), cert.getSerialNumber());
  }

  /** The SHA-1 CertID of {@code serial} under {@code issuer}. */
  public static CertificateID certId(X509Certificate issuer, BigInteger serial) {
    try {
      return new CertificateID(sha1(), new X509CertificateHolder(issuer.getEncoded()), serial);
    } catch (OCSPException | IOException | CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Whether a CertID from a request names the PKI's intermediate as issuer. */
  public boolean issuedByIntermediate(CertificateID id) {
    try {
      return id.matchesIssuer(
          new X509CertificateHolder(pki.intermediate().getEncoded()),
          new JcaDigestCalculatorProviderBuilder().build());
    } catch (OCSPException | IOException | CertificateEncodingException e) {
      return false;
    } catch (OperatorCreationException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An unsigned OCSP request DER for the given certificates, with an optional nonce. */
  public byte[] request(byte[] nonce, X509Certificate... certs) {
    try {
      OCSPReqBuilder b = new OCSPReqBuilder();
      for (X509Certificate c : certs) {
        b.addRequest(certId(c));
      }
      if (nonce != null) {
        b.setRequestExtensions(new Extensions(nonceExtension(nonce)));
      }
      return b.build().getEncoded();
    } catch (OCSPException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * An unsuccessful OCSPResponse (no responseBytes): malformedRequest(1), internalError(2),
   * tryLater(3), sigRequired(5), unauthorized(6). Any other non-zero value is encoded as given.
   */
  public static byte[] errorResponse(int ocspRespStatus) {
    if (ocspRespStatus == OCSPRespBuilder.SUCCESSFUL) {
      throw new IllegalArgumentException("successful(0) is not an error status");
    }
    try {
      return new OCSPResponse(new OCSPResponseStatus(ocspRespStatus), null).getEncoded(DER);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static final String DER = "DER";

  static Extension nonceExtension(byte[] nonce) {
    try {
      return new Extension(
          OCSPObjectIdentifiers.id_pkix_ocsp_nonce, false, new DEROctetString(nonce).getEncoded());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static DigestCalculator sha1() {
    try {
      return new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1);
    } catch (OperatorCreationException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A single-use builder of one successful OCSP response. Defaults: good, delegated signer. */
  public final class Spec {
    private final List<CertificateID> ids;
    private Status status = Status.GOOD;
    private Instant revocationTime;
    private Integer revocationReason;
    private Instant thisUpdate;
    private Instant nextUpdate;
    private boolean nextUpdateSet;
    private Duration validity = DEFAULT_VALIDITY;
    private Instant producedAt;
    private Signer signer = Signer.DELEGATED;
    private Boolean includeCerts;
    private boolean responderIdByName;
    private BigInteger serialOverride;
    private final List<Extension> extensions = new ArrayList<>();
    private boolean tamperSignature;

    private Spec(List<CertificateID> ids) {
      this.ids = List.copyOf(ids);
    }

    public Spec status(Status status) {
      this.status = Objects.requireNonNull(status);
      return this;
    }

    public Spec good() {
      return status(Status.GOOD);
    }

    /** Revoked at {@code time}, with a CRLReason code (e.g. 1 keyCompromise) or null for none. */
    public Spec revoked(Instant time, Integer reason) {
      this.status = Status.REVOKED;
      this.revocationTime = Objects.requireNonNull(time);
      this.revocationReason = reason;
      return this;
    }

    public Spec unknown() {
      return status(Status.UNKNOWN);
    }

    /** Default: now. */
    public Spec thisUpdate(Instant thisUpdate) {
      this.thisUpdate = Objects.requireNonNull(thisUpdate);
      return this;
    }

    /** Explicit nextUpdate; null leaves the field out. Default: thisUpdate + validity. */
    public Spec nextUpdate(Instant nextUpdate) {
      this.nextUpdate = nextUpdate;
      this.nextUpdateSet = true;
      return this;
    }

    /** nextUpdate = thisUpdate + validity, when nextUpdate is not set explicitly. Default 1 h. */
    public Spec validity(Duration validity) {
      this.validity = Objects.requireNonNull(validity);
      return this;
    }

    /** Default: now. */
    public Spec producedAt(Instant producedAt) {
      this.producedAt = Objects.requireNonNull(producedAt);
      return this;
    }

    public Spec signer(Signer signer) {
      this.signer = Objects.requireNonNull(signer);
      return this;
    }

    public Signer signer() {
      return signer;
    }

    /** Whether the signer's certificate goes in {@code certs}. Default: all but ISSUER. */
    public Spec includeCerts(boolean include) {
      this.includeCerts = include;
      return this;
    }

    /** ResponderID byName instead of the default byKey. */
    public Spec responderIdByName() {
      this.responderIdByName = true;
      return this;
    }

    /** Answers for another serial number than the one asked for: a wrong CertID. */
    public Spec serial(BigInteger serial) {
      this.serialOverride = Objects.requireNonNull(serial);
      return this;
    }

    /** Adds a nonce response extension (extnValue = OCTET STRING of {@code nonce}). */
    public Spec nonce(byte[] nonce) {
      return extension(nonceExtension(nonce));
    }

    /** Adds a response extension (e.g. the request's nonce extension, echoed as is). */
    public Spec extension(Extension extension) {
      this.extensions.add(Objects.requireNonNull(extension));
      return this;
    }

    /**
     * Adds a non-critical response extension of about {@code bytes} bytes: a response that is valid
     * in every way but big.
     */
    public Spec padding(int bytes) {
      try {
        return extension(
            new Extension(
                PADDING_EXTENSION, false, new DEROctetString(new byte[bytes]).getEncoded()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** Flips a bit of the signature after signing: the signature no longer verifies. */
    public Spec tamperSignature() {
      this.tamperSignature = true;
      return this;
    }

    /** The signed BasicOCSPResp. */
    public BasicOCSPResp buildBasic() {
      Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
      Instant tu = thisUpdate != null ? thisUpdate : now;
      Instant nu = nextUpdateSet ? nextUpdate : tu.plus(validity);
      X509Certificate signerCert = signerCert();
      PrivateKey signerKey = signerKey();
      try {
        BasicOCSPRespBuilder b = new BasicOCSPRespBuilder(respId(signerCert));
        for (CertificateID id : ids) {
          CertificateID answered =
              serialOverride == null ? id : CertificateID.deriveCertificateID(id, serialOverride);
          b.addResponse(answered, certStatus(), date(tu), nu == null ? null : date(nu), null);
        }
        if (!extensions.isEmpty()) {
          b.setResponseExtensions(new Extensions(extensions.toArray(new Extension[0])));
        }
        boolean withCerts = includeCerts != null ? includeCerts : signer != Signer.ISSUER;
        X509CertificateHolder[] certs =
            withCerts
                ? new X509CertificateHolder[] {new X509CertificateHolder(signerCert.getEncoded())}
                : null;
        var contentSigner =
            new JcaContentSignerBuilder(KeyType.signatureAlgorithmFor(signerKey)).build(signerKey);
        BasicOCSPResp basic =
            b.build(contentSigner, certs, date(producedAt != null ? producedAt : now));
        return tamperSignature ? tamper(basic) : basic;
      } catch (OCSPException
          | OperatorCreationException
          | IOException
          | CertificateEncodingException e) {
        throw new IllegalStateException("cannot build OCSP response: " + e.getMessage(), e);
      }
    }

    /** The DER OCSPResponse, responseStatus successful. */
    public byte[] build() {
      try {
        return new OCSPRespBuilder().build(OCSPRespBuilder.SUCCESSFUL, buildBasic()).getEncoded();
      } catch (OCSPException | IOException e) {
        throw new IllegalStateException(e);
      }
    }

    private CertificateStatus certStatus() {
      return switch (status) {
        case GOOD -> CertificateStatus.GOOD;
        case UNKNOWN -> new UnknownStatus();
        case REVOKED -> {
          Date when = date(revocationTime.truncatedTo(ChronoUnit.SECONDS));
          yield revocationReason == null
              ? new RevokedStatus(when)
              : new RevokedStatus(when, revocationReason);
        }
      };
    }

    private RespID respId(X509Certificate signerCert) throws OCSPException {
      if (responderIdByName) {
        return new RespID(X500Name.getInstance(signerCert.getSubjectX500Principal().getEncoded()));
      }
      return new RespID(
          SubjectPublicKeyInfo.getInstance(signerCert.getPublicKey().getEncoded()), sha1());
    }

    private X509Certificate signerCert() {
      return switch (signer) {
        case ISSUER -> pki.intermediate();
        case DELEGATED -> pki.ocspSigner();
        case DELEGATED_NO_EKU -> pki.ocspSignerWithoutEku();
        case ROGUE -> pki.rogue();
      };
    }

    private PrivateKey signerKey() {
      return switch (signer) {
        case ISSUER -> pki.intermediateKey();
        case DELEGATED -> pki.ocspSignerKey();
        case DELEGATED_NO_EKU -> pki.ocspSignerWithoutEkuKey();
        case ROGUE -> pki.rogueKey();
      };
    }
  }

  private static BasicOCSPResp tamper(BasicOCSPResp basic) throws IOException {
    BasicOCSPResponse asn1 = BasicOCSPResponse.getInstance(basic.getEncoded());
    byte[] sig = asn1.getSignature().getOctets();
    sig[sig.length / 2] ^= 0x01;
    return new BasicOCSPResp(
        new BasicOCSPResponse(
            asn1.getTbsResponseData(),
            asn1.getSignatureAlgorithm(),
            new DERBitString(sig),
            asn1.getCerts()));
  }

  /** Wraps a BasicOCSPResp into a successful OCSPResponse DER, unchanged. */
  public static byte[] successful(BasicOCSPResp basic) {
    try {
      return new OCSPResponse(
              new OCSPResponseStatus(OCSPResponseStatus.SUCCESSFUL),
              new ResponseBytes(
                  OCSPObjectIdentifiers.id_pkix_ocsp_basic, new DEROctetString(basic.getEncoded())))
          .getEncoded(DER);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Date date(Instant instant) {
    return Date.from(instant.truncatedTo(ChronoUnit.SECONDS));
  }
}
