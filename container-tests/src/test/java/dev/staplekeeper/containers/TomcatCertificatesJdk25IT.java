package dev.staplekeeper.containers;

/** Several and renewed certificates on Apache Tomcat (distribution tar.gz) on JDK 25. */
class TomcatCertificatesJdk25IT extends TomcatCertificatesIT {
  @Override
  String name() {
    return "tomcat-certificates-jdk25";
  }

  @Override
  int jdkFeature() {
    return 25;
  }
}
