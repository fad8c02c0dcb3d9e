package dev.staplekeeper.containers;

import java.nio.file.Path;
import java.util.List;

/**
 * What a server under test is given: the JDK it runs on, its HTTPS port on 127.0.0.1, the PKCS12
 * keystore of the test PKI (alias {@code server}) and the extra JVM options (the {@code -javaagent}
 * line and {@code -D} settings), which each server takes in its own native way.
 *
 * @param name a short label, also the name of the server's work directory
 */
record ServerSetup(
    String name,
    Path jdk,
    int port,
    Path keystore,
    String keystorePassword,
    String keyAlias,
    List<String> jvmOptions,
    Path workDir) {

  ServerSetup {
    jvmOptions = List.copyOf(jvmOptions);
    for (String option : jvmOptions) {
      if (option.chars().anyMatch(c -> Character.isWhitespace(c) || c == '"' || c == '\'')) {
        // setenv.sh and start.d ini files take one option per word or line, unquoted
        throw new IllegalArgumentException("JVM option needs quoting: " + option);
      }
    }
  }
}
