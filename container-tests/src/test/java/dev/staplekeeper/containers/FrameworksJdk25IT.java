package dev.staplekeeper.containers;

import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * The framework servers of {@link FrameworkStaplingIT} on JDK 25; one JDK's six servers at a time.
 */
@ResourceLock(FrameworkStaplingIT.SERVERS)
class FrameworksJdk25IT extends FrameworkStaplingIT {
  @Override
  int jdkFeature() {
    return 25;
  }
}
