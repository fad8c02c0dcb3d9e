package dev.staplekeeper.containers;

import dev.staplekeeper.testapps.pki.IssuedCert;
import dev.staplekeeper.testapps.pki.Pem;
import dev.staplekeeper.testapps.pki.TestPki;
import dev.staplekeeper.testapps.process.ChildJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * {@link CertificatesIT} on the real Tomcat distribution: {@code a.test} is one {@code
 * SSLHostConfig} with an EC and an RSA {@code Certificate}, the other host names one {@code
 * SSLHostConfig} each ({@code d.test} from PEM files, so that its wrong chain is presented as
 * given); a renewal replaces a keystore file and calls the connector's {@code reloadSslHostConfigs}
 * over remote JMX, as operators do (Tomcat's documented JMX set-up: {@code
 * com.sun.management.jmxremote.*} in {@code setenv.sh}).
 */
abstract class TomcatCertificatesIT extends CertificatesIT {
  private int jmxPort;

  private Path keystore(String name) {
    return work.resolve("keystores").resolve(name + ".p12");
  }

  @Override
  void writeKeystores() throws IOException {
    Files.createDirectories(work.resolve("keystores"));
    char[] pw = TestPki.PASSWORD.toCharArray();
    IssuedCert.writeKeystore(keystore("a-ec"), Map.of("a", aEc), pw);
    IssuedCert.writeKeystore(keystore("a-rsa"), Map.of("a", aRsa), pw);
    IssuedCert.writeKeystore(keystore("b"), Map.of("b", b), pw);
    IssuedCert.writeKeystore(keystore("c"), Map.of("c", leafOnly), pw);
    // PEM files: Tomcat presents the chain exactly as the files give it
    Path d = work.resolve("keystores");
    Files.writeString(d.resolve("d.pem"), Pem.certificate(wrongIssuer.cert()));
    Files.writeString(d.resolve("d.key"), Pem.privateKey(wrongIssuer.key()));
    Files.writeString(d.resolve("d-chain.pem"), Pem.certificate(wrongIssuer.chain()[1]));
  }

  @Override
  boolean presentsWrongIssuer() {
    return true;
  }

  @Override
  ChildJvm start(Path jdk, List<String> jvmOptions) throws Exception {
    jmxPort = Ports.free();
    List<String> options = new ArrayList<>(jvmOptions);
    options.addAll(
        List.of(
            "-Dcom.sun.management.jmxremote.port=" + jmxPort,
            "-Dcom.sun.management.jmxremote.rmi.port=" + jmxPort,
            "-Dcom.sun.management.jmxremote.host=127.0.0.1",
            "-Djava.rmi.server.hostname=127.0.0.1",
            "-Dcom.sun.management.jmxremote.authenticate=false",
            "-Dcom.sun.management.jmxremote.ssl=false"));
    ServerSetup setup =
        new ServerSetup(
            "server", jdk, port, keystore("a-ec"), TestPki.PASSWORD, "a", options, work);
    return TomcatServer.start(setup, serverXml());
  }

  /** {@code Catalina:type=ProtocolHandler,...} operation {@code reloadSslHostConfigs}. */
  @Override
  void reload() throws Exception {
    JMXServiceURL url =
        new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + jmxPort + "/jmxrmi");
    try (JMXConnector jmx = JMXConnectorFactory.connect(url)) {
      MBeanServerConnection mbeans = jmx.getMBeanServerConnection();
      Set<ObjectName> handlers =
          mbeans.queryNames(new ObjectName("Catalina:type=ProtocolHandler,*"), null);
      if (handlers.isEmpty()) {
        throw new IllegalStateException("no Catalina:type=ProtocolHandler MBean");
      }
      for (ObjectName handler : handlers) {
        mbeans.invoke(handler, "reloadSslHostConfigs", new Object[0], new String[0]);
      }
    }
  }

  private String serverXml() {
    StringBuilder hosts = new StringBuilder();
    hosts.append(hostConfig(A, certificate("EC", "a-ec", "a") + certificate("RSA", "a-rsa", "a")));
    hosts.append(hostConfig(B, certificate("EC", "b", "b")));
    hosts.append(hostConfig(LEAF_ONLY, certificate("EC", "c", "c")));
    hosts.append(hostConfig(WRONG_ISSUER, pemCertificate("EC", "d")));
    return TomcatServer.serverXml(port, "defaultSSLHostConfigName=\"" + A + "\"", hosts.toString());
  }

  private static String hostConfig(String host, String certificates) {
    return """
              <SSLHostConfig hostName="%s" protocols="TLSv1.2+TLSv1.3">
        %s      </SSLHostConfig>
        """
        .formatted(host, certificates);
  }

  private String pemCertificate(String type, String name) {
    Path dir = work.resolve("keystores");
    return """
                <Certificate type="%s" certificateFile="%s" certificateKeyFile="%s"
                             certificateChainFile="%s" />
        """
        .formatted(
            type,
            dir.resolve(name + ".pem"),
            dir.resolve(name + ".key"),
            dir.resolve(name + "-chain.pem"));
  }

  private String certificate(String type, String file, String alias) {
    return """
                <Certificate type="%s" certificateKeystoreFile="%s" certificateKeystorePassword="%s"
                             certificateKeystoreType="PKCS12" certificateKeyAlias="%s" />
        """
        .formatted(type, keystore(file), TestPki.PASSWORD, alias);
  }
}
