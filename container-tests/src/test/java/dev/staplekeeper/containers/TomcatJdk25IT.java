package dev.staplekeeper.containers;

import dev.staplekeeper.testapps.process.ChildJvm;
import java.io.IOException;

/** Apache Tomcat (distribution tar.gz) on JDK 25, agent in {@code bin/setenv.sh}. */
class TomcatJdk25IT extends ContainerStaplingIT {
  @Override
  String name() {
    return "tomcat-jdk25";
  }

  @Override
  int jdkFeature() {
    return 25;
  }

  @Override
  ChildJvm start(ServerSetup setup) throws IOException, InterruptedException {
    return TomcatServer.start(setup);
  }
}
