package dev.staplekeeper.containers;

/** The framework servers of {@link FrameworkStaplingIT} on JDK 17. */
class FrameworksJdk17IT extends FrameworkStaplingIT {
  @Override
  int jdkFeature() {
    return 17;
  }
}
