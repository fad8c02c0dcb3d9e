package dev.staplekeeper.agent.it;

import java.util.logging.LogManager;
import javax.net.ssl.SSLContext;

/**
 * An application that chooses its {@link LogManager} in {@code main}, after the agent's start has
 * run (as JBoss LogManager users and some launchers do), then makes its first {@code SSLContext}.
 * Prints the LogManager it got: the JDK's default one if the agent had set up java.util.logging
 * before the application's first {@code SSLContext}.
 */
public final class LateLoggingApp {
  /** The application's own LogManager. */
  public static final class AppLogManager extends LogManager {
    public AppLogManager() {}
  }

  private LateLoggingApp() {}

  public static void main(String[] args) throws Exception {
    // the agent's start is over once its prefetch thread exists and the warm-up had time to run
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (Thread.getAllStackTraces().keySet().stream()
        .noneMatch(t -> t.getName().startsWith("staplekeeper-prefetch"))) {
      if (System.nanoTime() > deadline) {
        System.out.println("NO-AGENT-THREAD");
        break;
      }
      Thread.sleep(20);
    }
    Thread.sleep(1000);
    System.setProperty("java.util.logging.manager", AppLogManager.class.getName());
    System.out.println("MANAGER=" + LogManager.getLogManager().getClass().getName());
    SSLContext.getInstance("TLS").init(null, null, null);
    System.out.println("READY");
    Thread.sleep(Long.parseLong(args.length > 0 ? args[0] : "3000"));
  }
}
