package dev.staplekeeper.agent;

import dev.staplekeeper.agent.jmx.ServiceStatusSource;
import dev.staplekeeper.agent.jmx.StapleMBeans;
import dev.staplekeeper.agent.log.AgentLog;
import dev.staplekeeper.agent.log.LogText;
import dev.staplekeeper.agent.staple.StapleService;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import javax.management.ObjectName;

/** The {@link StaplesMBean}, backed by the running {@link StapleService}. */
final class Staples implements StaplesMBean {
  private static final AgentLog log = AgentLog.get(Staples.class);
  static final String NAME = "dev.staplekeeper:type=Staples";

  private final StapleService service;
  private final String version;
  private final String settings;

  Staples(StapleService service, String version, String settings) {
    this.service = service;
    this.version = version;
    this.settings = settings;
  }

  /**
   * Registers with the platform MBean server. Called from a StapleKeeper thread after start, never
   * from premain: creating the platform MBean server that early can break applications that install
   * their own MBean server builder or log manager.
   */
  void register() {
    try {
      ObjectName name = new ObjectName(NAME);
      var server = ManagementFactory.getPlatformMBeanServer();
      if (!server.isRegistered(name)) {
        server.registerMBean(this, name);
      }
      new StapleMBeans(new ServiceStatusSource(service, Clock.systemUTC()), server).start();
    } catch (Exception | LinkageError e) {
      log.warn("StapleKeeper could not register the MBean {}: {}", NAME, e.toString());
    }
  }

  @Override
  public String getVersion() {
    return version;
  }

  @Override
  public String[] getCertificates() {
    // the lines hold responder URLs and error texts from outside: shown like log values
    return service.describe().stream()
        .map(line -> LogText.value(line, LogText.LINE_CAP))
        .toArray(String[]::new);
  }

  @Override
  public String getSettings() {
    return LogText.value(settings, LogText.LINE_CAP);
  }
}
