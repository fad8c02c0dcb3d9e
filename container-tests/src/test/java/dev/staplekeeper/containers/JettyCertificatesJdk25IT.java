package dev.staplekeeper.containers;

/** Several and renewed certificates on Eclipse Jetty (distribution tar.gz) on JDK 25. */
class JettyCertificatesJdk25IT extends JettyCertificatesIT {
  @Override
  String name() {
    return "jetty-certificates-jdk25";
  }

  @Override
  int jdkFeature() {
    return 25;
  }
}
