package dev.staplekeeper.agent.cli;

/** A command that cannot do its job; the message is the one line the user sees. */
final class CliException extends Exception {
  private static final long serialVersionUID = 1L;

  CliException(String message) {
    super(message);
  }
}
