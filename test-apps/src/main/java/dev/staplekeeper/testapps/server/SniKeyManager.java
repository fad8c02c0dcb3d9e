package dev.staplekeeper.testapps.server;

import dev.staplekeeper.testapps.pki.IssuedCert;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Map;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A server key manager over many certificates, alias = SNI host name: a handshake gets the
 * certificate of the host name it asked for, one map lookup whatever the number of certificates
 * (the JDK's PKIX key manager checks every alias). It lists its aliases, as Tomcat's and Jetty's
 * key managers do, so the agent learns every certificate when the context is initialised.
 */
final class SniKeyManager extends X509ExtendedKeyManager {
  private final Map<String, IssuedCert> byHost;
  private final String fallback;

  /** {@code byHost}: host name to certificate; {@code fallback}: the alias without SNI. */
  SniKeyManager(Map<String, IssuedCert> byHost, String fallback) {
    this.byHost = Map.copyOf(byHost);
    this.fallback = fallback;
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    SSLSession handshake =
        socket instanceof SSLSocket ? ((SSLSocket) socket).getHandshakeSession() : null;
    return choose(keyType, handshake);
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return choose(keyType, engine == null ? null : engine.getHandshakeSession());
  }

  private String choose(String keyType, SSLSession handshake) {
    String host = fallback;
    if (handshake instanceof ExtendedSSLSession) {
      for (SNIServerName name : ((ExtendedSSLSession) handshake).getRequestedServerNames()) {
        if (name instanceof SNIHostName) {
          host = ((SNIHostName) name).getAsciiName();
        }
      }
    }
    IssuedCert cert = byHost.get(host);
    return cert != null && cert.key().getAlgorithm().equals(keyType) ? host : null;
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return byHost.entrySet().stream()
        .filter(e -> e.getValue().key().getAlgorithm().equals(keyType))
        .map(Map.Entry::getKey)
        .toArray(String[]::new);
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    IssuedCert cert = byHost.get(alias);
    return cert == null ? null : cert.chain();
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    IssuedCert cert = byHost.get(alias);
    return cert == null ? null : cert.key();
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return null;
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    return null;
  }
}
