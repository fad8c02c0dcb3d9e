package dev.staplekeeper.agent;

/**
 * Read-only operator view, registered as {@code dev.staplekeeper:type=Staples}: what StapleKeeper
 * holds for each certificate and how the responder is doing.
 */
public interface StaplesMBean {
  /** StapleKeeper's version. */
  String getVersion();

  /** One line per certificate: status, time left, next fetch, failures and last error. */
  String[] getCertificates();

  /** The effective settings that differ from the defaults. */
  String getSettings();
}
