package dev.staplekeeper.testapps.cli;

/** A subcommand of the test-apps jar. */
public interface Command {
  /** The name on the command line, e.g. {@code responder}. */
  String name();

  /** One line for the command list. */
  String summary();

  /** The full {@code --help} text. */
  String help();

  /**
   * Runs the command; returns the exit code. Long-running commands (servers) return only when
   * stopped.
   */
  int run(String[] args) throws Exception;
}
