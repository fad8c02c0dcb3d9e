package dev.staplekeeper.agent.log;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * The agent's log as an operator's console shows it: a JUL handler on {@code dev.staplekeeper} that
 * formats each record with the JDK's {@link SimpleFormatter} (its default two-line format, stack
 * traces included) for as long as it is open.
 */
public final class CapturedLog extends Handler implements AutoCloseable {
  private final Logger logger = Logger.getLogger("dev.staplekeeper");
  private final Level previous = logger.getLevel();
  private final SimpleFormatter formatter = new SimpleFormatter();
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();
  private final List<String> text = new CopyOnWriteArrayList<>();

  public CapturedLog(Level level) {
    setLevel(Level.ALL);
    logger.setLevel(level);
    logger.addHandler(this);
  }

  @Override
  public void publish(LogRecord record) {
    records.add(record);
    text.add(formatter.format(record));
  }

  /** Every record published so far. */
  public List<LogRecord> records() {
    return new ArrayList<>(records);
  }

  /**
   * Every line the formatter wrote, split at each kind of line break a terminal or grep honours.
   */
  public List<String> lines() {
    List<String> out = new ArrayList<>();
    for (String t : text) {
      out.addAll(Arrays.asList(t.split("\r\n|[\n\r\u000b\u000c\u0085\u2028\u2029]", -1)));
    }
    return out;
  }

  /** Waits until a record's message matches; returns it, or null after {@code timeout}. */
  public LogRecord await(Predicate<String> message, Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    do {
      for (LogRecord r : records) {
        if (r.getMessage() != null && message.test(r.getMessage())) {
          return r;
        }
      }
      Thread.sleep(20);
    } while (System.nanoTime() < end);
    return null;
  }

  @Override
  public void flush() {}

  @Override
  public void close() {
    logger.removeHandler(this);
    logger.setLevel(previous);
  }
}
