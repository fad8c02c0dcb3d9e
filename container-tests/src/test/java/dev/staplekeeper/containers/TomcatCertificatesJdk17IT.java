package dev.staplekeeper.containers;

/** Several and renewed certificates on Apache Tomcat (distribution tar.gz) on JDK 17. */
class TomcatCertificatesJdk17IT extends TomcatCertificatesIT {
  @Override
  String name() {
    return "tomcat-certificates-jdk17";
  }

  @Override
  int jdkFeature() {
    return 17;
  }
}
