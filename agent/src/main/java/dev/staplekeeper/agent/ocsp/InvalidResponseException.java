package dev.staplekeeper.agent.ocsp;

/** An OCSP response that must not be cached or stapled; the message says why, for the log. */
public class InvalidResponseException extends Exception {
  private static final long serialVersionUID = 1L;

  public InvalidResponseException(String message) {
    super(message);
  }

  public InvalidResponseException(String message, Throwable cause) {
    super(message, cause);
  }

  private boolean expired;

  /** An exception for a response whose nextUpdate has passed: it can never become valid again. */
  public static InvalidResponseException expired(String message) {
    InvalidResponseException e = new InvalidResponseException(message);
    e.expired = true;
    return e;
  }

  /** True when the response is past its nextUpdate (a stored copy of it can be deleted). */
  public boolean isExpired() {
    return expired;
  }
}
