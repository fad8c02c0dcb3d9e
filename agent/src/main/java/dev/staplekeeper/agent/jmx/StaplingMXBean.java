package dev.staplekeeper.agent.jmx;

/**
 * Totals since start and the operator's refresh, registered as {@code
 * dev.staplekeeper:type=Stapling}.
 */
public interface StaplingMXBean {
  /** Handshakes that asked for a staple and got one. */
  long getHandshakesStapled();

  /** Handshakes that asked for a staple and got none (nothing valid held). */
  long getHandshakesWithoutStaple();

  long getFetchesSucceeded();

  long getFetchesFailedConnect();

  long getFetchesFailedTimeout();

  long getFetchesFailedHttpStatus();

  long getFetchesFailedOcspStatus();

  long getFetchesFailedInvalidResponse();

  long getFetchesFailedOther();

  /** Certificates tracked. */
  int getCertificates();

  /** The agent's start line in this JVM. */
  String getStartLine();

  /** Fetches now for every certificate, waits for the fetches (bounded); returns their serials. */
  String[] refresh() throws InterruptedException;

  /** Fetches now for the certificate with this serial (hex); returns the serials refreshed. */
  String[] refresh(String serial) throws InterruptedException;
}
