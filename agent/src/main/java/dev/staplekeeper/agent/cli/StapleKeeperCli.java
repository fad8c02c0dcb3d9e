package dev.staplekeeper.agent.cli;

import com.sun.tools.attach.VirtualMachine;
import com.sun.tools.attach.VirtualMachineDescriptor;
import dev.staplekeeper.agent.jmx.StapleMBeans;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;

/**
 * {@code java -jar staplekeeper-agent.jar <command>}: the operator's side of the agent jar.
 *
 * <pre>
 * attach  &lt;pid&gt; [key=value,...]   load StapleKeeper into a running JVM; prints its start line
 * status  &lt;pid&gt; [--json]          one row per certificate
 * refresh &lt;pid&gt; [serial]          fetch now (all certificates, or one); prints what came back
 * list                           the local JVMs and whether StapleKeeper is active in each
 * </pre>
 *
 * Exit code 0 on success, 1 with one line on stderr otherwise, 2 for a usage error.
 */
public final class StapleKeeperCli {
  private static final Pattern ACTIVE = Pattern.compile("\\bactive (on|in)\\b");

  /** How long status and refresh wait for the MBeans of an agent that has just started. */
  private static final long MBEAN_WAIT_MILLIS = 15_000;

  private final PrintStream out;

  private StapleKeeperCli(PrintStream out) {
    this.out = out;
  }

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0 || "help".equals(args[0]) || "--help".equals(args[0])) {
      out.println(usage());
      return args.length == 0 ? 2 : 0;
    }
    try {
      StapleKeeperCli cli = new StapleKeeperCli(out);
      switch (args[0]) {
        case "attach":
          need(args, 2, 3);
          return cli.attach(TargetJvm.parsePid(args[1]), args.length > 2 ? args[2] : "");
        case "status":
          need(args, 2, 3);
          if (args.length == 3 && !"--json".equals(args[2])) {
            throw new UsageException("status takes only --json after the pid");
          }
          return cli.status(TargetJvm.parsePid(args[1]), args.length == 3);
        case "refresh":
          need(args, 2, 3);
          return cli.refresh(TargetJvm.parsePid(args[1]), args.length > 2 ? args[2] : null);
        case "list":
          need(args, 1, 1);
          return cli.list();
        default:
          throw new UsageException("unknown command '" + args[0] + "'");
      }
    } catch (UsageException e) {
      err.println("staplekeeper: " + e.getMessage() + "\n" + usage());
      return 2;
    } catch (CliException e) {
      err.println("staplekeeper: " + e.getMessage());
      return 1;
    } catch (LinkageError e) {
      err.println(
          "staplekeeper: this Java has no Attach API (module jdk.attach): run the command with a"
              + " full JDK 17 or later ("
              + e
              + ")");
      return 1;
    } catch (Exception e) {
      err.println("staplekeeper: " + e);
      return 1;
    }
  }

  static String usage() {
    return "usage: java -jar staplekeeper-agent.jar <command>\n"
        + "  attach  <pid> [key=value,...]  load StapleKeeper into a running JVM (same user)\n"
        + "  status  <pid> [--json]         what StapleKeeper holds, one row per certificate\n"
        + "  refresh <pid> [serial]         fetch now (all certificates, or one serial, hex)\n"
        + "  list                           local JVMs and whether StapleKeeper is active";
  }

  private static void need(String[] args, int min, int max) throws UsageException {
    if (args.length < min || args.length > max) {
      throw new UsageException("wrong number of arguments for " + args[0]);
    }
  }

  static boolean isActive(String startLine) {
    return startLine != null && !startLine.startsWith("SEVERE") && ACTIVE.matcher(startLine).find();
  }

  /** The start line without its level, as the log showed it. */
  private static String message(String startLine) {
    int space = startLine.indexOf(' ');
    return space < 0 ? startLine : startLine.substring(space + 1);
  }

  private int attach(long pid, String options) throws Exception {
    try (TargetJvm jvm = TargetJvm.attach(pid)) {
      int java = jvm.javaVersion();
      if (java < TargetJvm.MIN_JAVA) {
        throw new CliException(
            "JVM "
                + pid
                + " runs Java "
                + java
                + "; StapleKeeper needs Java "
                + TargetJvm.MIN_JAVA
                + " or later");
      }
      String before = jvm.startLine();
      if (isActive(before)) {
        out.println("StapleKeeper is already active in JVM " + pid + ": " + message(before));
        return 0;
      }
      jvm.loadAgent(ownJar(), options);
      String line = jvm.startLine();
      if (line == null || line.equals(before)) {
        throw new CliException("the agent was loaded into JVM " + pid + " but reported nothing");
      }
      if (!isActive(line)) {
        throw new CliException(message(line));
      }
      out.println(message(line));
      return 0;
    }
  }

  private int status(long pid, boolean json) throws Exception {
    try (TargetJvm jvm = TargetJvm.attach(pid)) {
      MBeanServerConnection mbs = activeMBeans(jvm);
      List<Map<String, Object>> rows = StatusRows.read(mbs, null);
      if (json) {
        out.println(StatusRows.json(rows));
      } else if (rows.isEmpty()) {
        out.println(
            "StapleKeeper is active in JVM "
                + pid
                + " and tracks no certificate yet (a server context learns its certificates at"
                + " init or at its first handshake)");
      } else {
        out.print(StatusRows.table(rows));
      }
      return 0;
    }
  }

  private int refresh(long pid, String serial) throws Exception {
    try (TargetJvm jvm = TargetJvm.attach(pid)) {
      MBeanServerConnection mbs = activeMBeans(jvm);
      ObjectName stapling = new ObjectName(StapleMBeans.STAPLING);
      String[] refreshed =
          serial == null
              ? (String[]) mbs.invoke(stapling, "refresh", new Object[0], new String[0])
              : (String[])
                  mbs.invoke(
                      stapling,
                      "refresh",
                      new Object[] {serial},
                      new String[] {String.class.getName()});
      if (refreshed.length == 0) {
        throw new CliException(
            serial == null
                ? "JVM " + pid + " tracks no certificate yet; nothing to refresh"
                : "no certificate with serial " + serial + " in JVM " + pid + " (see status)");
      }
      List<Map<String, Object>> rows = new ArrayList<>();
      for (String s : refreshed) {
        rows.addAll(StatusRows.read(mbs, s));
      }
      out.print(StatusRows.table(rows));
      return 0;
    }
  }

  private int list() {
    long self = ProcessHandle.current().pid();
    for (VirtualMachineDescriptor d : VirtualMachine.list()) {
      if (d.id().equals(String.valueOf(self))) {
        continue;
      }
      String state;
      try (TargetJvm jvm = TargetJvm.attach(Long.parseLong(d.id()))) {
        String line = jvm.startLine();
        state =
            line == null
                ? "StapleKeeper not loaded"
                : isActive(line)
                    ? "StapleKeeper active: " + message(line)
                    : "StapleKeeper NOT active: " + message(line);
      } catch (CliException | NumberFormatException e) {
        state = "unknown: " + e.getMessage();
      }
      String name = d.displayName().isEmpty() ? "(no main class)" : d.displayName();
      out.println(d.id() + "\t" + name + "\t" + state);
    }
    return 0;
  }

  /** The target's MBean connection, once StapleKeeper is active there and its MBeans are up. */
  private static MBeanServerConnection activeMBeans(TargetJvm jvm) throws Exception {
    String line = jvm.startLine();
    if (line == null) {
      throw new CliException(
          "StapleKeeper is not loaded in JVM "
              + jvm.pid
              + " (load it: java -jar staplekeeper-agent.jar attach "
              + jvm.pid
              + ")");
    }
    if (!isActive(line)) {
      throw new CliException("StapleKeeper is not active in JVM " + jvm.pid + ": " + message(line));
    }
    MBeanServerConnection mbs = jvm.mbeans();
    ObjectName stapling = new ObjectName(StapleMBeans.STAPLING);
    long end = System.currentTimeMillis() + MBEAN_WAIT_MILLIS;
    while (!mbs.isRegistered(stapling)) {
      if (System.currentTimeMillis() > end) {
        throw new CliException(
            "StapleKeeper is active in JVM "
                + jvm.pid
                + " but its MBean "
                + StapleMBeans.STAPLING
                + " is not registered (jmx=false?)");
      }
      Thread.sleep(200);
    }
    return mbs;
  }

  private static String ownJar() throws Exception {
    return Path.of(
            StapleKeeperCli.class.getProtectionDomain().getCodeSource().getLocation().toURI())
        .toString();
  }

  /** A command line that does not parse. */
  private static final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }
}
