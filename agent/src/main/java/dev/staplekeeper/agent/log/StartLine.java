package dev.staplekeeper.agent.log;

import java.util.logging.Level;

/**
 * Keeps the agent's start line (the {@code active on Java ...} line, or the reason it is not
 * active) where a tool outside the JVM can read it: the system property {@value #PROPERTY}, as
 * {@code <LEVEL> <message>}. {@code attach} and {@code list} read it through the Attach API, the
 * {@code Stapling} MBean through {@link #get}. The property name is outside the {@code
 * staplekeeper.} prefix, which is reserved for settings.
 */
public final class StartLine implements Runnable {
  public static final String PROPERTY = "dev.staplekeeper.agent.start";

  /** The logger the start lines are written to (the agent's entry point class). */
  static final String START_LOGGER = "dev.staplekeeper.agent.StapleKeeperAgent";

  /** The start being recorded, if any; {@link AgentLog} offers it every line it logs. */
  private static volatile StartLine current;

  private volatile String line;

  private StartLine() {}

  /**
   * Starts recording what the start logger says; {@link #end} stops and publishes it. Touches no
   * logging API: {@code java.util.logging} is set up only when something is logged.
   */
  public static StartLine begin() {
    StartLine recorder = new StartLine();
    current = recorder;
    return recorder;
  }

  /** A start that ended in an exception: its message is the line. */
  public void failed(String message) {
    line = Level.SEVERE.getName() + " " + message;
  }

  /** {@link #end}, for a caller that takes a Runnable (a method reference would spin a lambda). */
  @Override
  public void run() {
    end();
  }

  /** Stops recording and publishes the last line said during start. */
  public void end() {
    if (current == this) {
      current = null;
    }
    String l = line;
    System.setProperty(
        PROPERTY,
        l != null ? l : Level.INFO.getName() + " StapleKeeper started (no start line logged)");
  }

  /** The recorded start line, or null when the agent never started in this JVM. */
  public static String get() {
    return System.getProperty(PROPERTY);
  }

  /** A line that {@link AgentLog} logged (so it passed the logger's level). */
  static void offer(String logger, Level level, String message) {
    StartLine recorder = current;
    if (recorder != null
        && START_LOGGER.equals(logger)
        && level.intValue() >= Level.INFO.intValue()
        && message.startsWith("StapleKeeper")) {
      recorder.line = level.getName() + " " + message;
    }
  }
}
