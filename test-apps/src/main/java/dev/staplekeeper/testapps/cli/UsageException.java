package dev.staplekeeper.testapps.cli;

/** A bad command line: the message says what is wrong, the command prints its usage hint. */
public final class UsageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UsageException(String message) {
    super(message);
  }
}
