package dev.staplekeeper.agent;

import java.lang.instrument.Instrumentation;

/** The {@code -javaagent} entry point. */
public final class StapleKeeperAgent {
  private StapleKeeperAgent() {}

  public static void premain(String args, Instrumentation inst) {}

  public static void agentmain(String args, Instrumentation inst) {}
}
