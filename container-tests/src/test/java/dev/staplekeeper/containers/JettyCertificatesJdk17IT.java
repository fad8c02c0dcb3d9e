package dev.staplekeeper.containers;

/** Several and renewed certificates on Eclipse Jetty (distribution tar.gz) on JDK 17. */
class JettyCertificatesJdk17IT extends JettyCertificatesIT {
  @Override
  String name() {
    return "jetty-certificates-jdk17";
  }

  @Override
  int jdkFeature() {
    return 17;
  }
}
