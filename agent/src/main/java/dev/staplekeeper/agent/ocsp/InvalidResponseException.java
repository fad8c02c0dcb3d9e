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
}
