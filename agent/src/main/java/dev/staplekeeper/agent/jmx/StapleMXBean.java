package dev.staplekeeper.agent.jmx;

/**
 * One certificate, registered as {@code dev.staplekeeper:type=Staple,serial=<hex>,subject="<DN>"}.
 * The numeric attributes are what jmx_exporter turns into gauges (docs/monitoring); the strings are
 * for people and for {@code status}.
 */
public interface StapleMXBean {
  String getSubject();

  /** Certificate serial number, lower-case hex. */
  String getSerial();

  /** SHA-1 of the issuer's public key, hex. */
  String getIssuerKeyId();

  String getResponder();

  /** GOOD, REVOKED or NONE (nothing valid held). */
  String getStatus();

  /** 0 NONE, 1 GOOD, 2 REVOKED. */
  int getStatusCode();

  /** ISO-8601, or null when no response is held. */
  String getThisUpdate();

  /** ISO-8601, or null when no response is held. */
  String getNextUpdate();

  /** Seconds until the held response's nextUpdate; 0 when nothing valid is held. */
  long getSecondsUntilNextUpdate();

  /** nextUpdate minus thisUpdate of the held response, in seconds; 0 when none is held. */
  long getValiditySeconds();

  /** Seconds since the last successful fetch (or since tracking began, before the first). */
  long getSecondsSinceLastSuccess();

  /** ISO-8601 time of the next fetch, or null. */
  String getNextFetch();

  /** Failed fetches since the last good response. */
  int getConsecutiveFailures();

  /** The last fetch's error, null after a success. */
  String getLastError();

  /** Duration of the last fetch in milliseconds; -1 before the first. */
  long getLastFetchMillis();
}
