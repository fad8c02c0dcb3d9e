package dev.staplekeeper.containers;

import dev.staplekeeper.testapps.process.ChildJvm;
import java.io.IOException;

/** Apache Tomcat (distribution tar.gz) on JDK 17, agent in {@code bin/setenv.sh}. */
class TomcatJdk17IT extends ContainerStaplingIT {
  @Override
  String name() {
    return "tomcat-jdk17";
  }

  @Override
  int jdkFeature() {
    return 17;
  }

  @Override
  ChildJvm start(ServerSetup setup) throws IOException, InterruptedException {
    return TomcatServer.start(setup);
  }
}
