package dev.staplekeeper.agent;

import dev.staplekeeper.agent.log.StartLine;
import java.lang.instrument.Instrumentation;

/**
 * The {@code -javaagent} entry point. Does nothing but hand over to {@link AgentStarter} and make
 * sure that nothing StapleKeeper does can stop the JVM from starting: on any failure the server
 * runs exactly as it would without the agent, with the JDK's own OCSP stapling.
 */
public final class StapleKeeperAgent {
  private StapleKeeperAgent() {}

  public static void premain(String args, Instrumentation inst) {
    start(args, inst);
  }

  public static void agentmain(String args, Instrumentation inst) {
    start(args, inst);
  }

  private static void start(String args, Instrumentation inst) {
    StartLine startLine = StartLine.begin();
    try {
      AgentStarter.start(args, inst);
    } catch (Throwable t) {
      String line =
          "StapleKeeper: failed to start ("
              + t
              + "); the JVM runs without it, with the JDK's own OCSP stapling";
      System.err.println(line);
      startLine.failed(line);
    } finally {
      startLine.end();
    }
  }
}
