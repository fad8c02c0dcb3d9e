package dev.staplekeeper.agent.ocsp;

import dev.staplekeeper.agent.asn1.Asn1Exception;
import dev.staplekeeper.agent.asn1.Der;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.util.Arrays;

/**
 * The RFC 6960 CertID of one certificate (SHA-1 issuer name and key hashes plus serial number): the
 * key StapleKeeper caches, stores and fetches by. Equal when issuer and serial are equal, whatever
 * certificate object it was computed from.
 */
public final class CertId {
  /** id-sha1, the CertID hash algorithm StapleKeeper asks with (as the JDK and OpenSSL do). */
  static final String SHA1 = "1.3.14.3.2.26";

  private final byte[] issuerNameHash;
  private final byte[] issuerKeyHash;
  private final BigInteger serial;
  private final int hash;

  private CertId(byte[] issuerNameHash, byte[] issuerKeyHash, BigInteger serial) {
    this.issuerNameHash = issuerNameHash;
    this.issuerKeyHash = issuerKeyHash;
    this.serial = serial;
    this.hash = 31 * Arrays.hashCode(issuerKeyHash) + serial.hashCode();
  }

  /** Computes the CertID of {@code cert} as issued by {@code issuer} (which must be its issuer). */
  public static CertId of(X509Certificate cert, X509Certificate issuer) {
    try {
      return new CertId(
          sha1(issuer.getSubjectX500Principal().getEncoded()),
          sha1(TbsCertificate.of(issuer).subjectPublicKey()),
          cert.getSerialNumber());
    } catch (Asn1Exception | RuntimeException e) {
      throw new IllegalArgumentException("cannot compute the OCSP CertID: " + e.getMessage(), e);
    }
  }

  static byte[] sha1(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-1").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-1", e);
    }
  }

  /** The DER CertID: SHA-1 with NULL parameters, as the JDK and OpenSSL send it. */
  byte[] encoded() {
    return Der.sequence(
        Der.sequence(Der.oid(SHA1), Der.nullValue()),
        Der.octetString(issuerNameHash),
        Der.octetString(issuerKeyHash),
        Der.integer(serial));
  }

  /** True when {@code nameHash} and {@code keyHash} are this CertID's SHA-1 hashes. */
  boolean hasIssuerHashes(byte[] nameHash, byte[] keyHash) {
    return Arrays.equals(issuerNameHash, nameHash) && Arrays.equals(issuerKeyHash, keyHash);
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

  static String hex(byte[] bytes) {
    StringBuilder sb = new StringBuilder(bytes.length * 2);
    for (byte b : bytes) {
      sb.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
    }
    return sb.toString();
  }
}
