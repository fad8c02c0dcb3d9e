package dev.staplekeeper.agent;

import dev.staplekeeper.agent.log.AgentLog;

/**
 * One WARNING per TLS server stack that StapleKeeper cannot staple for, because its TLS is not JSSE
 * (found by {@code NonJsseDetection}): which stack it is and what to do about it.
 */
final class NonJsseWarnings {
  private static final AgentLog log = AgentLog.get(StapleKeeperAgent.class);

  /** Called once per stack found; {@code type} is the detected class's name. */
  void stackFound(String type) {
    log.warn(
        "StapleKeeper cannot staple for the TLS server contexts of {}: their handshakes never"
            + " reach the JDK's OCSP stapling that StapleKeeper takes over, so they carry no"
            + " staple from StapleKeeper. {}",
        stack(type),
        advice(type));
  }

  /** The stack behind a detected class, in words. */
  static String stack(String type) {
    if (type.contains(".netty.")) {
      return "Netty SslContext with the OpenSSL provider (netty-tcnative), " + type;
    }
    if (type.startsWith("org.apache.tomcat.util.net.openssl.panama.")) {
      return "Tomcat's OpenSSL implementation through FFM (panama), " + type;
    }
    if (type.startsWith("org.apache.tomcat.")) {
      return "Tomcat's OpenSSL implementation through tomcat-native, " + type;
    }
    if (type.startsWith("org.conscrypt.")) {
      return "Conscrypt as the SSLContext provider, " + type;
    }
    return type;
  }

  /** What the operator can do, per stack. */
  static String advice(String type) {
    if (type.contains(".netty.")) {
      return "Build that server's SslContext with SslProvider.JDK (or remove netty-tcnative from"
          + " the class path) to have it stapled.";
    }
    if (type.startsWith("org.apache.tomcat.")) {
      return "Set that connector to JSSE (sslImplementationName="
          + "\"org.apache.tomcat.util.net.jsse.JSSEImplementation\", and no OpenSSL/FFM"
          + " listener) to have it stapled.";
    }
    if (type.startsWith("org.conscrypt.")) {
      return "Let the JDK's SunJSSE provider serve that server's SSLContext (do not insert"
          + " Conscrypt first, or ask for SSLContext.getInstance(\"TLS\", \"SunJSSE\")) to have"
          + " it stapled.";
    }
    return "Switch that connector to JSSE to have it stapled.";
  }
}
