package dev.staplekeeper.agent;

import dev.staplekeeper.agent.log.AgentLog;
import dev.staplekeeper.agent.log.StartLine;
import java.lang.instrument.Instrumentation;

/**
 * The {@code -javaagent} entry point. Does nothing but hand over to {@link AgentStarter} and make
 * sure that nothing StapleKeeper does can stop the JVM from starting: on any failure the server
 * runs exactly as it would without the agent, with the JDK's own OCSP stapling.
 */
public final class StapleKeeperAgent {
  private StapleKeeperAgent() {}

  /** At launch: the agent's work runs on a thread of its own (see DeferredStart). */
  public static void premain(String args, Instrumentation inst) {
    start(args, inst, true);
  }

  /** On attach: the application is running already, so the caller waits for the whole start. */
  public static void agentmain(String args, Instrumentation inst) {
    start(args, inst, false);
  }

  private static void start(String args, Instrumentation inst, boolean inBackground) {
    StartLine startLine = StartLine.begin();
    boolean handedOver = false;
    try {
      handedOver = AgentStarter.start(args, inst, inBackground, startLine);
    } catch (Throwable t) {
      String line =
          "StapleKeeper: failed to start ("
              + t
              + "); the JVM runs without it, with the JDK's own OCSP stapling";
      System.err.println(line);
      startLine.failed(line);
    } finally {
      if (!handedOver) {
        AgentLog.release();
        startLine.end();
      }
    }
  }
}
