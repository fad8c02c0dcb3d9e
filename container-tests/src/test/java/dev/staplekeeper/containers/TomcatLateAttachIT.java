package dev.staplekeeper.containers;

import dev.staplekeeper.testapps.process.ChildJvm;
import java.io.IOException;

/** Apache Tomcat started without StapleKeeper, then attached. */
class TomcatLateAttachIT extends LateAttachIT {
  @Override
  String name() {
    return "tomcat-late-attach";
  }

  @Override
  ChildJvm start(ServerSetup setup) throws IOException, InterruptedException {
    return TomcatServer.start(setup);
  }
}
