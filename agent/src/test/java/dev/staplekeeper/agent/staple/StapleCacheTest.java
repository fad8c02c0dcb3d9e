package dev.staplekeeper.agent.staple;

import static org.assertj.core.api.Assertions.assertThat;

import dev.staplekeeper.agent.ocsp.CertId;
import dev.staplekeeper.testapps.pki.TestPki;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StapleCacheTest {
  static TestPki pki;
  static X509Certificate other;

  @BeforeAll
  static void pki(@TempDir Path dir) throws Exception {
    pki = TestPki.create(dir, URI.create("http://127.0.0.1:1/ocsp"), false);
    other = pki.issueLeaf("other.test", pki.ocspUrl()).chain()[0];
  }

  static StapleEntry entry(CertId id, X509Certificate cert) {
    return new StapleEntry(id, cert, pki.intermediate(), pki.ocspUrl(), 0);
  }

  @Test
  void anEntryPushedOutBySizeIsClosedAndItsIdRememberedOnce() throws Exception {
    StapleCache cache = new StapleCache(1);
    CertId first = CertId.of(pki.server(), pki.intermediate());
    CertId second = CertId.of(other, pki.intermediate());
    StapleEntry a = cache.entry(first, id -> entry(id, pki.server()));
    StapleEntry b = cache.entry(second, id -> entry(id, other));

    assertThat(a.isClosed()).isTrue();
    assertThat(b.isClosed()).isFalse();
    assertThat(cache.entry(first)).isNull();
    assertThat(cache.entry(second)).isSameAs(b);
    assertThat(cache.all()).containsExactly(b);
    assertThat(cache.wasEvicted(first)).isTrue();
    assertThat(cache.wasEvicted(first)).as("forgotten once asked").isFalse();
    assertThat(cache.wasEvicted(second)).isFalse();
  }

  @Test
  void aRemovedEntryIsNotRememberedAsEvicted() throws Exception {
    StapleCache cache = new StapleCache(2);
    CertId first = CertId.of(pki.server(), pki.intermediate());
    StapleEntry a = cache.entry(first, id -> entry(id, pki.server()));
    cache.remove(first);

    assertThat(cache.entry(first)).isNull();
    assertThat(cache.wasEvicted(first)).isFalse();
    assertThat(a.isClosed()).as("closed by its owner, not by the cache").isFalse();

    StapleEntry again = cache.entry(first, id -> entry(id, pki.server()));
    cache.clear();
    assertThat(again.isClosed()).isTrue();
    assertThat(cache.wasEvicted(first)).isFalse();
    assertThat(cache.all()).isEmpty();
  }

  @Test
  void resolutionsBelongToTheCertificateObjectNotToEqualCopies() throws Exception {
    StapleCache cache = new StapleCache(10);
    X509Certificate cert = pki.server();
    // another parser: the JDK's factory hands back its cached object for the same encoding
    X509Certificate copy =
        (X509Certificate)
            CertificateFactory.getInstance("X.509", new BouncyCastleProvider())
                .generateCertificate(new ByteArrayInputStream(cert.getEncoded()));
    assertThat(copy).isEqualTo(cert).isNotSameAs(cert);

    StapleCache.Resolution r =
        new StapleCache.Resolution(CertId.of(cert, pki.intermediate()), pki.ocspUrl());
    cache.putResolution(cert, r);
    assertThat(cache.resolution(cert)).isSameAs(r);
    assertThat(cache.resolution(copy)).isNull();
    cache.clear();
    assertThat(cache.resolution(cert)).isNull();
  }
}
