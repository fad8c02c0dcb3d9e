package dev.staplekeeper.bench.harness;

import dev.staplekeeper.testapps.process.ChildJvm;
import java.nio.file.Path;
import java.util.List;

/** The server the drivers measure: the test-apps {@code jsse-server} in a JVM of its own. */
public final class JsseServers {
  private JsseServers() {}

  /**
   * {@code java JVM_ARGS -cp TEST_APPS_JAR dev.staplekeeper.testapps.Main jsse-server --pki DIR
   * --port 0} on the JDK at {@code javaHome}, its output kept with timestamps and copied to {@code
   * log}.
   */
  public static ChildJvm.Builder jsseServer(
      String name, Path javaHome, Path testAppsJar, Path pkiDir, List<String> jvmArgs, Path log) {
    return ChildJvm.java(javaHome)
        .name(name)
        .jvmArgs(jvmArgs)
        .testApps(testAppsJar, "jsse-server", "--pki", pkiDir.toString(), "--port", "0")
        .log(log);
  }
}
