package dev.staplekeeper.agent.ocsp;

import dev.staplekeeper.agent.log.LogText;
import java.net.URI;
import java.util.Objects;

/**
 * An OCSP fetch that produced no response bytes. {@link #kind()} classifies what went wrong; the
 * message names the responder URI (its userinfo redacted) and what was expected.
 */
public final class FetchException extends Exception {
  private static final long serialVersionUID = 1L;

  /**
   * What went wrong, coarse enough to classify failures in the log line (and in metrics, once there
   * are some). Every kind is retried the same way.
   */
  public enum Kind {
    /** The responder refused the TCP connection (nothing listening, or a firewall reject). */
    CONNECT_REFUSED,
    /** The connection or the whole exchange did not complete within the deadline. */
    TIMEOUT,
    /** The responder answered with an HTTP status other than 200. */
    HTTP_STATUS,
    /** The response body exceeded the configured maximum size. */
    TOO_LARGE,
    /** Any other I/O failure: name resolution, TLS, connection reset, bad URI. */
    IO
  }

  private final Kind kind;
  private final URI uri;
  private final String detail;

  public FetchException(Kind kind, URI uri, String detail) {
    this(kind, uri, detail, null);
  }

  public FetchException(Kind kind, URI uri, String detail, Throwable cause) {
    // userinfo never reaches a log line, the JMX view or a stack trace through this message
    super(LogText.redact("OCSP fetch from " + uri + " failed (" + kind + "): " + detail), cause);
    this.kind = Objects.requireNonNull(kind, "kind");
    this.uri = uri;
    this.detail = detail;
  }

  public Kind kind() {
    return kind;
  }

  /** What went wrong, without the URI and kind the message starts with. */
  public String detail() {
    return detail;
  }

  /** The responder URI the fetch went to. */
  public URI uri() {
    return uri;
  }
}
