package dev.staplekeeper.agent.log;

import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Keeps the agent's start line (the {@code active on Java ...} line, or the reason it is not
 * active) where a tool outside the JVM can read it: the system property {@value #PROPERTY}, as
 * {@code <LEVEL> <message>}. {@code attach} and {@code list} read it through the Attach API, the
 * {@code Stapling} MBean through {@link #get}. The property name is outside the {@code
 * staplekeeper.} prefix, which is reserved for settings.
 */
public final class StartLine extends Handler {
  public static final String PROPERTY = "dev.staplekeeper.agent.start";

  /** The JUL logger the start lines are written to (the agent's entry point class). */
  static final String START_LOGGER = "dev.staplekeeper.agent.StapleKeeperAgent";

  private final Logger logger;
  private volatile String line;

  private StartLine(Logger logger) {
    this.logger = logger;
  }

  /** Starts listening to the start logger; {@link #end} stops and records what was said. */
  public static StartLine begin() {
    Logger logger = Logger.getLogger(START_LOGGER);
    StartLine recorder = new StartLine(logger);
    recorder.setLevel(Level.INFO);
    logger.addHandler(recorder);
    return recorder;
  }

  /** A start that ended in an exception: its message is the line. */
  public void failed(String message) {
    line = Level.SEVERE.getName() + " " + message;
  }

  /** Stops listening and publishes the last line said during start. */
  public void end() {
    logger.removeHandler(this);
    String l = line;
    System.setProperty(
        PROPERTY,
        l != null ? l : Level.INFO.getName() + " StapleKeeper started (no start line logged)");
  }

  /** The recorded start line, or null when the agent never started in this JVM. */
  public static String get() {
    return System.getProperty(PROPERTY);
  }

  @Override
  public void publish(LogRecord record) {
    if (record != null && record.getLevel().intValue() >= Level.INFO.intValue()) {
      String message = record.getMessage();
      if (message != null && message.startsWith("StapleKeeper")) {
        line = record.getLevel().getName() + " " + message;
      }
    }
  }

  @Override
  public void flush() {}

  @Override
  public void close() {}
}
