package dev.staplekeeper.agent.asn1;

/**
 * Bytes that are not the ASN.1 structure expected; the message says what was expected, and where.
 */
public final class Asn1Exception extends Exception {
  private static final long serialVersionUID = 1L;

  public Asn1Exception(String message) {
    super(message);
  }
}
