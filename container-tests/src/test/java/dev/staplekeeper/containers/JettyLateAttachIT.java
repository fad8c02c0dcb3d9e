package dev.staplekeeper.containers;

import dev.staplekeeper.testapps.process.ChildJvm;
import java.io.IOException;

/** Eclipse Jetty started without StapleKeeper, then attached. */
class JettyLateAttachIT extends LateAttachIT {
  @Override
  String name() {
    return "jetty-late-attach";
  }

  @Override
  ChildJvm start(ServerSetup setup) throws IOException, InterruptedException {
    return JettyServer.start(setup);
  }
}
