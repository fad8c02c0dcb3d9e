package dev.staplekeeper.containers;

import dev.staplekeeper.testapps.pki.IssuedCert;
import dev.staplekeeper.testapps.pki.TestPki;
import dev.staplekeeper.testapps.process.ChildJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link CertificatesIT} on the real Jetty distribution: one keystore holds every certificate and
 * Jetty chooses by SNI and key type (no {@code jetty.sslContext.alias}); a renewal replaces the
 * keystore file and the {@code ssl-reload} module's {@code KeyStoreScanner} (scanning every second)
 * reloads it.
 */
abstract class JettyCertificatesIT extends CertificatesIT {
  private Path keystore() {
    return work.resolve("keystores/keystore.p12");
  }

  @Override
  void writeKeystores() throws IOException {
    Files.createDirectories(keystore().getParent());
    Map<String, IssuedCert> entries = new LinkedHashMap<>();
    entries.put("a-ec", aEc);
    entries.put("a-rsa", aRsa);
    entries.put("b", b);
    entries.put("c", leafOnly);
    IssuedCert.writeKeystore(keystore(), entries, TestPki.PASSWORD.toCharArray());
  }

  @Override
  ChildJvm start(Path jdk, List<String> jvmOptions) throws Exception {
    ServerSetup setup =
        new ServerSetup("server", jdk, port, keystore(), TestPki.PASSWORD, null, jvmOptions, work);
    return JettyServer.start(
        setup, List.of("ssl-reload"), "jetty.sslContext.reload.scanInterval=1\n");
  }

  /** A PKCS12 keystore rebuilds d.test's chain when loaded: it is not served here. */
  @Override
  boolean presentsWrongIssuer() {
    return false;
  }

  /** Nothing to call: the KeyStoreScanner notices the new file. */
  @Override
  void reload() {}
}
