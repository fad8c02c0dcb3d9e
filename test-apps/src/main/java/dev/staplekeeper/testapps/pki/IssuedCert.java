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

  /**
   * Writes a PKCS12 keystore holding several key entries, alias to entry, each with its {@link
   * #chain} (see {@link #withChain} for a misconfigured one). The file is written beside {@code
   * file} and moved into place in one step, as an operator's renewal does, so a server that watches
   * it never reads half a keystore.
   */
  public static void writeKeystore(
      Path file, java.util.Map<String, IssuedCert> entries, char[] password) throws IOException {
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      for (var e : entries.entrySet()) {
        ks.setKeyEntry(e.getKey(), e.getValue().key(), password, e.getValue().chain);
      }
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      try (OutputStream out = Files.newOutputStream(tmp)) {
        ks.store(out, password);
      }
      Files.move(
          tmp,
          file,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot write keystore " + file + ": " + e.getMessage(), e);
    }
  }

  /** The same certificate and key, sent with {@code chain} instead (a misconfigured server). */
  public IssuedCert withChain(X509Certificate... chain) {
    return new IssuedCert(cert, key, chain);
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
