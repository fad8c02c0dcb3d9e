package dev.staplekeeper.testapps.pki;

/** Key types the test PKI can issue. EC P-256 is the default because it is fast to generate. */
public enum KeyType {
  EC_P256("EC", "SHA256withECDSA"),
  RSA_2048("RSA", "SHA256withRSA");

  private final String algorithm;
  private final String signatureAlgorithm;

  KeyType(String algorithm, String signatureAlgorithm) {
    this.algorithm = algorithm;
    this.signatureAlgorithm = signatureAlgorithm;
  }

  /** JCA key algorithm name ("EC" or "RSA"). */
  public String algorithm() {
    return algorithm;
  }

  /** JCA signature algorithm used when a key of this type signs something. */
  public String signatureAlgorithm() {
    return signatureAlgorithm;
  }

  /** Signature algorithm for a key, from its JCA algorithm name. */
  public static String signatureAlgorithmFor(java.security.Key key) {
    return switch (key.getAlgorithm()) {
      case "EC" -> EC_P256.signatureAlgorithm;
      case "RSA" -> RSA_2048.signatureAlgorithm;
      default -> throw new IllegalArgumentException("unsupported key " + key.getAlgorithm());
    };
  }
}
