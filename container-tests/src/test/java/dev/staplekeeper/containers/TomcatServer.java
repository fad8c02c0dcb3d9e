package dev.staplekeeper.containers;

import dev.staplekeeper.testapps.process.ChildJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Starts the real Apache Tomcat distribution ({@code org.apache.tomcat:tomcat} tar.gz) with {@code
 * bin/catalina.sh run}, in a CATALINA_BASE of its own that has one HTTPS (JSSE, NIO) connector.
 *
 * <p>JVM options go into {@code CATALINA_BASE/bin/setenv.sh} as {@code
 * CATALINA_OPTS="$CATALINA_OPTS ..."} lines, exactly as docs/operations.md tells users to add the
 * agent.
 */
final class TomcatServer {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(180);

  private TomcatServer() {}

  static Path home() {
    return Path.of(System.getProperty("staplekeeper.it.tomcat.home"));
  }

  static ChildJvm start(ServerSetup setup) throws IOException, InterruptedException {
    return start(setup, serverXml(setup));
  }

  /** Like {@link #start(ServerSetup)} with a {@code server.xml} of the caller's own. */
  static ChildJvm start(ServerSetup setup, String serverXml)
      throws IOException, InterruptedException {
    Path home = home();
    Path base = setup.workDir().resolve(setup.name());
    for (String dir : List.of("bin", "conf", "logs", "temp", "work", "webapps/ROOT")) {
      Files.createDirectories(base.resolve(dir));
    }
    for (String file : List.of("web.xml", "logging.properties", "catalina.properties")) {
      Files.copy(
          home.resolve("conf").resolve(file),
          base.resolve("conf").resolve(file),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    Files.writeString(base.resolve("webapps/ROOT/index.html"), "StapleKeeper container test\n");
    Files.writeString(base.resolve("conf/server.xml"), serverXml);
    Files.writeString(base.resolve("bin/setenv.sh"), setenv(setup.jvmOptions()));

    return ChildJvm.command(List.of("/bin/sh", home.resolve("bin/catalina.sh").toString(), "run"))
        .name("Tomcat " + setup.name())
        .workDir(base)
        .env(
            Map.of(
                "CATALINA_HOME", home.toString(),
                "CATALINA_BASE", base.toString(),
                "JAVA_HOME", setup.jdk().toString(),
                "JRE_HOME", setup.jdk().toString(),
                "CATALINA_OPTS", "",
                "JAVA_OPTS", "",
                "JAVA_TOOL_OPTIONS", ""))
        .log(base.resolve("logs/console.log"))
        .readyWhen("org.apache.catalina.startup.Catalina.start Server startup in", setup.port())
        .startTimeout(START_TIMEOUT)
        .start();
  }

  /** One CATALINA_OPTS line per option, the form docs/operations.md shows. */
  static String setenv(List<String> jvmOptions) {
    StringBuilder sb = new StringBuilder("# Written by the StapleKeeper container tests\n");
    for (String option : jvmOptions) {
      sb.append("CATALINA_OPTS=\"$CATALINA_OPTS ").append(option).append("\"\n");
    }
    return sb.toString();
  }

  /**
   * No shutdown port (the test ends the process), no HTTP connector, no APR listener: one JSSE
   * HTTPS connector on 127.0.0.1 so that Tomcat's stapling is the JDK's (and so the agent's).
   */
  static String serverXml(ServerSetup setup) {
    return serverXml(
        setup.port(),
        "",
        """
              <SSLHostConfig protocols="TLSv1.2+TLSv1.3">
                <Certificate certificateKeystoreFile="%s" certificateKeystorePassword="%s"
                             certificateKeystoreType="PKCS12" certificateKeyAlias="%s" />
              </SSLHostConfig>
        """
            .formatted(setup.keystore(), setup.keystorePassword(), setup.keyAlias()));
  }

  /**
   * The {@code server.xml} of {@link #serverXml(ServerSetup)} with the caller's {@code
   * <SSLHostConfig>} elements and more attributes on the connector (e.g. {@code
   * defaultSSLHostConfigName="a.test"}).
   */
  static String serverXml(int port, String connectorAttributes, String sslHostConfigs) {
    return """
        <?xml version="1.0" encoding="UTF-8"?>
        <Server port="-1" shutdown="SHUTDOWN">
          <Listener className="org.apache.catalina.startup.VersionLoggerListener" />
          <Service name="Catalina">
            <Connector port="%d" address="127.0.0.1"
                       protocol="org.apache.coyote.http11.Http11NioProtocol" SSLEnabled="true"
                       sslImplementationName="org.apache.tomcat.util.net.jsse.JSSEImplementation"
                       %s>
        %s    </Connector>
            <Engine name="Catalina" defaultHost="localhost">
              <Host name="localhost" appBase="webapps" unpackWARs="false" autoDeploy="false" />
            </Engine>
          </Service>
        </Server>
        """
        .formatted(port, connectorAttributes, sslHostConfigs);
  }
}
