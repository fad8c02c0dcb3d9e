package dev.staplekeeper.agent.log;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The agent's only way to log: {@code private static final AgentLog log =
 * AgentLog.get(Foo.class);}, then SLF4J-style {@code log.warn("... {} ...", value)}. Lines go to
 * {@code java.util.logging}, to the logger named after {@code Foo}, under the caller's class and
 * method (so that an application that routes JUL elsewhere, Spring Boot to Logback for one, gets
 * them there). No logging library is loaded: nothing is searched on the application's class path
 * while premain runs.
 *
 * <p>Contract: every argument is rendered by {@link LogText#value} (userinfo redacted, control
 * characters visible, at most {@link LogText#VALUE_CAP} characters); the message, pattern and
 * arguments together, is cut to {@link LogText#LINE_CAP} characters with {@code ...(N more)}. A
 * {@link Throwable} as the last argument, beyond the placeholders, is appended as {@code : class:
 * message} (causes too, each rendered like an argument); its stack trace is logged only when DEBUG
 * is enabled, with every message in it escaped. A value can therefore never start a line of its own
 * in the log, nor make one line longer than the cap. {@code LoggingArchitectureTest} fails when
 * another agent class logs around this one.
 *
 * <p>Between {@link #holdUntilReleased} and {@link #release} (the background start at launch, until
 * the start line) lines are kept in order instead of handed to {@code java.util.logging}: its first
 * use sets up the JVM's {@code LogManager} for good, and an application may still choose its own in
 * {@code main}. While held, a line is kept if its level passes the {@code logLevel} setting (INFO
 * when unset); the logger's own level is applied at release.
 */
public final class AgentLog {
  private static final String FQCN = AgentLog.class.getName();
  private static final int MAX_CAUSES = 3;

  /** Keeps the JUL logger whose level {@link #setLevel} sets from being garbage collected. */
  private static volatile Logger configuredRoot;

  /**
   * The {@code logLevel} setting, applied to the JUL logger {@code dev.staplekeeper} once that is
   * created; null until {@link #setLevel} is called (the logging configuration's level stands).
   */
  private static volatile Level level;

  /** Lines said while holding, in order; null when not holding. Changed under AgentLog.class. */
  private static volatile List<LogRecord> held;

  private final String name;
  private volatile Logger delegate;

  private AgentLog(String name) {
    this.name = name;
  }

  /**
   * The logger of {@code owner}. Cheap: {@code java.util.logging} (whose set-up reads the JVM's
   * logging configuration) is touched on the first use, not here, so premain does not pay for it
   * when it has nothing to say.
   */
  public static AgentLog get(Class<?> owner) {
    return new AgentLog(owner.getName());
  }

  private Logger delegate() {
    Logger d = delegate;
    if (d == null) {
      synchronized (AgentLog.class) {
        if (configuredRoot == null) {
          Logger root = Logger.getLogger("dev.staplekeeper");
          if (level != null) {
            root.setLevel(level);
          }
          configuredRoot = root;
        }
      }
      d = Logger.getLogger(name);
      delegate = d;
    }
    return d;
  }

  /** From now until {@link #release}, lines are kept instead of logged (see the class contract). */
  public static void holdUntilReleased() {
    synchronized (AgentLog.class) {
      if (held == null) {
        held = new ArrayList<>();
      }
    }
  }

  /** Logs the lines kept since {@link #holdUntilReleased}, in order; from now on lines go out. */
  public static void release() {
    List<LogRecord> lines;
    synchronized (AgentLog.class) {
      lines = held;
      held = null;
    }
    if (lines == null) {
      return;
    }
    for (LogRecord record : lines) {
      Logger logger = new AgentLog(record.getLoggerName()).delegate();
      if (logger.isLoggable(record.getLevel())) {
        logger.log(record);
      }
    }
  }

  /** Whether a line at {@code jul} goes out (or, while holding, is kept). */
  private boolean enabled(Level jul) {
    if (held != null) {
      Level floor = level != null ? level : Level.INFO;
      return jul.intValue() >= floor.intValue();
    }
    return delegate().isLoggable(jul);
  }

  /**
   * Sets the level of the {@code dev.staplekeeper} JUL logger from a {@code logLevel} setting:
   * ERROR, WARN, INFO (anything else), DEBUG or TRACE.
   */
  public static void setLevel(String level) {
    Level jul;
    switch (level) {
      case "ERROR":
        jul = Level.SEVERE;
        break;
      case "WARN":
        jul = Level.WARNING;
        break;
      case "DEBUG":
        jul = Level.FINE;
        break;
      case "TRACE":
        jul = Level.FINEST;
        break;
      default:
        jul = Level.INFO;
    }
    synchronized (AgentLog.class) {
      AgentLog.level = jul;
      if (configuredRoot != null) {
        configuredRoot.setLevel(jul);
      }
    }
  }

  public boolean isErrorEnabled() {
    return enabled(Level.SEVERE);
  }

  public boolean isWarnEnabled() {
    return enabled(Level.WARNING);
  }

  public boolean isInfoEnabled() {
    return enabled(Level.INFO);
  }

  public boolean isDebugEnabled() {
    return enabled(Level.FINE);
  }

  public boolean isTraceEnabled() {
    return enabled(Level.FINEST);
  }

  public void error(String pattern, Object... args) {
    if (enabled(Level.SEVERE)) {
      log(Level.SEVERE, pattern, args);
    }
  }

  public void warn(String pattern, Object... args) {
    if (enabled(Level.WARNING)) {
      log(Level.WARNING, pattern, args);
    }
  }

  public void info(String pattern, Object... args) {
    if (enabled(Level.INFO)) {
      log(Level.INFO, pattern, args);
    }
  }

  public void debug(String pattern, Object... args) {
    if (enabled(Level.FINE)) {
      log(Level.FINE, pattern, args);
    }
  }

  public void trace(String pattern, Object... args) {
    if (enabled(Level.FINEST)) {
      log(Level.FINEST, pattern, args);
    }
  }

  private void log(Level level, String pattern, Object[] args) {
    Object[] values = args == null ? new Object[0] : args;
    Throwable thrown = null;
    if (values.length > 0
        && values[values.length - 1] instanceof Throwable
        && placeholders(pattern) < values.length) {
      thrown = (Throwable) values[values.length - 1];
      values = Arrays.copyOf(values, values.length - 1);
    }
    String message = format(pattern, values, thrown);
    Throwable trace = thrown != null && isDebugEnabled() ? SafeThrowable.of(thrown) : null;
    LogRecord record = new LogRecord(level, message);
    record.setLoggerName(name);
    record.setThrown(trace);
    // names the caller of AgentLog, not AgentLog, as the line's source class and method
    StackWalker.getInstance()
        .walk(frames -> frames.filter(f -> !f.getClassName().equals(FQCN)).findFirst())
        .ifPresent(
            caller -> {
              record.setSourceClassName(caller.getClassName());
              record.setSourceMethodName(caller.getMethodName());
            });
    StartLine.offer(name, level, message);
    if (held != null) {
      synchronized (AgentLog.class) {
        List<LogRecord> h = held;
        if (h != null) {
          h.add(record);
          return;
        }
      }
    }
    delegate().log(record);
  }

  /** The message of one call: pattern with rendered values, throwable appended, capped. */
  static String format(String pattern, Object[] values, Throwable thrown) {
    String p = String.valueOf(pattern);
    StringBuilder sb = new StringBuilder(Math.min(LogText.LINE_CAP + 64, p.length() + 64));
    int from = 0;
    int next = 0;
    while (next < values.length) {
      int at = p.indexOf("{}", from);
      if (at < 0) {
        break;
      }
      if (at > 0 && p.charAt(at - 1) == '\\') { // SLF4J's escaped placeholder: a literal {}
        sb.append(p, from, at - 1).append("{}");
        from = at + 2;
        continue;
      }
      sb.append(p, from, at).append(LogText.value(values[next++]));
      from = at + 2;
      if (sb.length() > LogText.LINE_CAP) {
        break;
      }
    }
    sb.append(p, Math.min(from, p.length()), p.length());
    if (thrown != null) {
      sb.append(": ").append(describe(thrown));
    }
    return LogText.escape(sb.toString(), LogText.LINE_CAP);
  }

  /** {@code class: message (caused by class: message)}, each part rendered as a value. */
  static String describe(Throwable t) {
    StringBuilder sb = new StringBuilder(LogText.value(t));
    Throwable cause = t.getCause();
    for (int i = 0; cause != null && cause != t && i < MAX_CAUSES; i++) {
      sb.append(" (caused by ").append(LogText.value(cause)).append(')');
      t = cause;
      cause = cause.getCause();
    }
    return sb.toString();
  }

  private static int placeholders(String pattern) {
    int count = 0;
    if (pattern != null) {
      for (int at = pattern.indexOf("{}"); at >= 0; at = pattern.indexOf("{}", at + 2)) {
        count++;
      }
    }
    return count;
  }

  /**
   * A stand-in for a throwable whose stack trace is logged: the same frames, but its text (and its
   * causes' text) rendered as a value, so that the trace cannot forge a line either.
   */
  private static final class SafeThrowable extends Throwable {
    private static final long serialVersionUID = 1L;

    private SafeThrowable(Throwable original, Throwable cause) {
      super(LogText.value(original), cause, false, true);
      setStackTrace(original.getStackTrace());
    }

    static Throwable of(Throwable t) {
      return of(t, 0);
    }

    private static Throwable of(Throwable t, int depth) {
      Throwable cause = t.getCause();
      Throwable safeCause =
          cause != null && cause != t && depth < MAX_CAUSES ? of(cause, depth + 1) : null;
      return new SafeThrowable(t, safeCause);
    }

    @Override
    public String toString() {
      return getMessage();
    }
  }
}
