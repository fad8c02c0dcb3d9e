package dev.staplekeeper.testapps;

import dev.staplekeeper.testapps.cli.CheckCommand;
import dev.staplekeeper.testapps.cli.Command;
import dev.staplekeeper.testapps.cli.DemoCommand;
import dev.staplekeeper.testapps.cli.NettyCommand;
import dev.staplekeeper.testapps.cli.PkiCommand;
import dev.staplekeeper.testapps.cli.ResponderCommand;
import dev.staplekeeper.testapps.cli.ResponderCtlCommand;
import dev.staplekeeper.testapps.cli.ServerCommand;
import dev.staplekeeper.testapps.cli.UsageException;
import dev.staplekeeper.testapps.server.TestServer;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * Entry point of the test-apps jar: {@code java -jar staplekeeper-test-apps-all.jar <command>
 * [options]}; {@code <command> --help} explains each command.
 */
public final class Main {
  private Main() {}

  static List<Command> commands() {
    return List.of(
        new PkiCommand(),
        new ResponderCommand(),
        new ResponderCtlCommand(),
        new ServerCommand(TestServer.Kind.JSSE),
        new ServerCommand(TestServer.Kind.TOMCAT),
        new ServerCommand(TestServer.Kind.JETTY),
        new NettyCommand(),
        new CheckCommand(),
        new DemoCommand());
  }

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs a command and returns its exit code: 0 ok, 1 failure, 2 bad command line. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
      System.setProperty(
          "java.util.logging.SimpleFormatter.format",
          "%1$tH:%1$tM:%1$tS.%1$tL %4$s %3$s: %5$s%6$s%n");
    }
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
      usage(args.length == 0 ? err : out);
      return args.length == 0 ? 2 : 0;
    }
    Command command =
        commands().stream().filter(c -> c.name().equals(args[0])).findFirst().orElse(null);
    if (command == null) {
      err.println("error: unknown command '" + args[0] + "'");
      usage(err);
      return 2;
    }
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    if (Arrays.asList(rest).contains("--help") || Arrays.asList(rest).contains("-h")) {
      out.print(command.help());
      return 0;
    }
    try {
      return command.run(rest);
    } catch (UsageException e) {
      err.println("error: " + command.name() + ": " + e.getMessage());
      err.println("run '" + command.name() + " --help' for the options");
      return 2;
    } catch (Exception e) {
      err.println("error: " + command.name() + ": " + e);
      return 1;
    }
  }

  private static void usage(PrintStream s) {
    s.println("usage: java -jar staplekeeper-test-apps-all.jar <command> [options]");
    s.println();
    s.println("commands:");
    for (Command c : commands()) {
      s.printf("  %-14s %s%n", c.name(), c.summary());
    }
    s.println();
    s.println("'<command> --help' describes a command's options.");
  }
}
