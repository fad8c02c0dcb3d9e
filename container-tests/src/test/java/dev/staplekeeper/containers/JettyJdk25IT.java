package dev.staplekeeper.containers;

import dev.staplekeeper.testapps.process.ChildJvm;
import java.io.IOException;

/** Eclipse Jetty (jetty-home tar.gz) on JDK 25, agent in {@code start.d/staplekeeper.ini}. */
class JettyJdk25IT extends ContainerStaplingIT {
  @Override
  String name() {
    return "jetty-jdk25";
  }

  @Override
  int jdkFeature() {
    return 25;
  }

  @Override
  ChildJvm start(ServerSetup setup) throws IOException, InterruptedException {
    return JettyServer.start(setup);
  }
}
