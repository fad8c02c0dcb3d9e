package dev.staplekeeper.agent.cli;

import com.sun.tools.attach.AgentLoadException;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import dev.staplekeeper.agent.log.StartLine;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;
import javax.management.MBeanServerConnection;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * One running JVM, reached through the Attach API (same user only) and, for reading the MBeans,
 * through its local JMX connector ({@code startLocalManagementAgent}: loopback only, no configured
 * port). Every way of not getting there ends in a {@link CliException} with one clear line.
 */
final class TargetJvm implements AutoCloseable {
  /** The oldest Java the agent runs on. */
  static final int MIN_JAVA = 11;

  final long pid;
  private final VirtualMachine vm;
  private JMXConnector jmx;

  private TargetJvm(long pid, VirtualMachine vm) {
    this.pid = pid;
    this.vm = vm;
  }

  static long parsePid(String text) throws CliException {
    try {
      long pid = Long.parseLong(text.trim());
      if (pid > 0) {
        return pid;
      }
    } catch (NumberFormatException ignored) {
      // below
    }
    throw new CliException("'" + text + "' is not a process id (a positive number; see 'list')");
  }

  static TargetJvm attach(long pid) throws CliException {
    Optional<ProcessHandle> process = ProcessHandle.of(pid);
    if (process.isEmpty() || !process.get().isAlive()) {
      throw new CliException("no process with pid " + pid);
    }
    if (pid == ProcessHandle.current().pid()) {
      throw new CliException("pid " + pid + " is this command itself");
    }
    String command = process.get().info().command().orElse("");
    if (!command.isEmpty()
        && !Path.of(command).getFileName().toString().startsWith("java")
        && VirtualMachine.list().stream().noneMatch(d -> d.id().equals(String.valueOf(pid)))) {
      throw new CliException("process " + pid + " is not a Java VM (" + command + ")");
    }
    try {
      return new TargetJvm(pid, VirtualMachine.attach(String.valueOf(pid)));
    } catch (AttachNotSupportedException | IOException | SecurityException e) {
      String owner = process.get().info().user().orElse(null);
      String me = System.getProperty("user.name");
      if (owner != null && !owner.equals(me) && !"root".equals(me)) {
        throw new CliException(
            "process "
                + pid
                + " belongs to user "
                + owner
                + "; run this command as "
                + owner
                + " (the Attach API reaches JVMs of the same user only)");
      }
      throw new CliException(
          "cannot attach to process "
              + pid
              + ": not a Java VM, started with -XX:+DisableAttachMechanism, or not responding ("
              + e.getMessage()
              + ")");
    }
  }

  Properties systemProperties() throws CliException {
    try {
      return vm.getSystemProperties();
    } catch (IOException e) {
      throw new CliException("JVM " + pid + " did not answer: " + e.getMessage());
    }
  }

  /** The Java feature version of the target, e.g. 17. */
  int javaVersion() throws CliException {
    return featureVersion(systemProperties().getProperty("java.specification.version", "0"));
  }

  static int featureVersion(String spec) {
    try {
      return spec.startsWith("1.")
          ? Integer.parseInt(spec.substring(2))
          : Integer.parseInt(spec.split("\\.")[0]);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** The agent's start line in the target, or null when StapleKeeper never started there. */
  String startLine() throws CliException {
    return systemProperties().getProperty(StartLine.PROPERTY);
  }

  void loadAgent(String jar, String options) throws CliException {
    try {
      vm.loadAgent(jar, options);
    } catch (AgentLoadException e) {
      throw new CliException("JVM " + pid + " could not load the agent: " + e.getMessage());
    } catch (com.sun.tools.attach.AgentInitializationException e) {
      throw new CliException(
          "the agent failed in JVM " + pid + " (agentmain returned " + e.returnValue() + ")");
    } catch (IOException e) {
      throw new CliException("JVM " + pid + " did not answer: " + e.getMessage());
    }
  }

  MBeanServerConnection mbeans() throws CliException {
    try {
      if (jmx == null) {
        String address = vm.startLocalManagementAgent();
        jmx = JMXConnectorFactory.connect(new JMXServiceURL(address));
      }
      return jmx.getMBeanServerConnection();
    } catch (IOException e) {
      throw new CliException(
          "cannot open the local JMX connection to JVM " + pid + ": " + e.getMessage());
    }
  }

  @Override
  public void close() {
    try {
      if (jmx != null) {
        jmx.close();
      }
    } catch (IOException ignored) {
      // the target may be gone
    }
    try {
      vm.detach();
    } catch (IOException ignored) {
      // the target may be gone
    }
  }
}
