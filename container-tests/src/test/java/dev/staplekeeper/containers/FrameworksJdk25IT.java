package dev.staplekeeper.containers;

/** The framework servers of {@link FrameworkStaplingIT} on JDK 25. */
class FrameworksJdk25IT extends FrameworkStaplingIT {
  @Override
  int jdkFeature() {
    return 25;
  }
}
