package dev.staplekeeper.testapps.pki;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;

/**
 * A certificate with its private key and the chain a server sends (the certificate first, then the
 * intermediates, never the root).
 */
public record IssuedCert(X509Certificate cert, PrivateKey key, X509Certificate[] chain) {

  public IssuedCert {
    chain = chain.clone();
  }

  @Override
  public X509Certificate[] chain() {
    return chain.clone();
  }

  /** Writes a PKCS12 keystore holding this key and chain under {@code alias}. */
  public void writeKeystore(Path file, String alias, char[] password) throws IOException {
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry(alias, key, password, chain);
      try (OutputStream out = Files.newOutputStream(file)) {
        ks.store(out, password);
      }
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot write keystore " + file + ": " + e.getMessage(), e);
    }
  }

  /** Reads the key entry {@code alias} of a PKCS12 keystore. */
  public static IssuedCert readKeystore(Path file, String alias, char[] password)
      throws IOException {
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      try (var in = Files.newInputStream(file)) {
        ks.load(in, password);
      }
      PrivateKey key = (PrivateKey) ks.getKey(alias, password);
      var certs = ks.getCertificateChain(alias);
      if (key == null || certs == null) {
        throw new IOException("no key entry '" + alias + "' in " + file);
      }
      X509Certificate[] chain = new X509Certificate[certs.length];
      for (int i = 0; i < certs.length; i++) {
        chain[i] = (X509Certificate) certs[i];
      }
      return new IssuedCert(chain[0], key, chain);
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot read keystore " + file + ": " + e.getMessage(), e);
    }
  }
}
