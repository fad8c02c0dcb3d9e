package dev.staplekeeper.agent.ocsp;

import java.math.BigInteger;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPException;
import org.bouncycastle.operator.DigestCalculatorProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * The RFC 6960 CertID of one certificate (SHA-1 issuer name and key hashes plus serial number): the
 * key StapleKeeper caches, stores and fetches by. Equal when issuer and serial are equal, whatever
 * certificate object it was computed from.
 */
public final class CertId {
  private static final DigestCalculatorProvider DIGESTS = digests();

  private final CertificateID bcId;
  private final byte[] issuerKeyHash;
  private final byte[] issuerNameHash;
  private final BigInteger serial;
  private final int hash;

  private CertId(CertificateID bcId) {
    this.bcId = bcId;
    this.issuerKeyHash = bcId.getIssuerKeyHash();
    this.issuerNameHash = bcId.getIssuerNameHash();
    this.serial = bcId.getSerialNumber();
    this.hash = 31 * Arrays.hashCode(issuerKeyHash) + serial.hashCode();
  }

  /** Computes the CertID of {@code cert} as issued by {@code issuer} (which must be its issuer). */
  public static CertId of(X509Certificate cert, X509Certificate issuer) {
    try {
      return new CertId(
          new CertificateID(
              DIGESTS.get(CertificateID.HASH_SHA1),
              new JcaX509CertificateHolder(issuer),
              cert.getSerialNumber()));
    } catch (OCSPException | OperatorCreationException | CertificateEncodingException e) {
      throw new IllegalArgumentException("cannot compute the OCSP CertID: " + e.getMessage(), e);
    }
  }

  /** The Bouncy Castle form, for building requests and matching responses. */
  public CertificateID toCertificateId() {
    return bcId;
  }

  public BigInteger serial() {
    return serial;
  }

  /** SHA-1 of the issuer's public key, hex; part of the stable file name of a stored response. */
  public String issuerKeyHashHex() {
    return hex(issuerKeyHash);
  }

  /** A short, stable, file-name-safe form: {@code <issuer key hash>-<serial>}, both hex. */
  public String fileStem() {
    return issuerKeyHashHex() + "-" + serial.toString(16);
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof CertId)) {
      return false;
    }
    CertId other = (CertId) o;
    return serial.equals(other.serial)
        && Arrays.equals(issuerKeyHash, other.issuerKeyHash)
        && Arrays.equals(issuerNameHash, other.issuerNameHash);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  /** Human-readable form for log lines: serial and a prefix of the issuer key hash. */
  @Override
  public String toString() {
    return "serial=" + serial.toString(16) + " issuerKey=" + issuerKeyHashHex().substring(0, 12);
  }

  private static String hex(byte[] bytes) {
    StringBuilder sb = new StringBuilder(bytes.length * 2);
    for (byte b : bytes) {
      sb.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
    }
    return sb.toString();
  }

  private static DigestCalculatorProvider digests() {
    try {
      // Uses the JDK's own MessageDigest; StapleKeeper never registers a JCE provider.
      return new JcaDigestCalculatorProviderBuilder().build();
    } catch (OperatorCreationException e) {
      throw new IllegalStateException(e);
    }
  }
}
