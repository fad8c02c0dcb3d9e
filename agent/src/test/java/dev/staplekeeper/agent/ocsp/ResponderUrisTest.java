package dev.staplekeeper.agent.ocsp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.staplekeeper.testapps.pki.TestPki;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResponderUrisTest {
  private static final URI AIA = URI.create("http://ocsp.example.test:8080/ocsp");
  private static final URI CONFIGURED = URI.create("http://configured.example.test/");

  @TempDir static Path dir;
  static TestPki pki;

  @BeforeAll
  static void createPki() throws Exception {
    pki = TestPki.create(dir, AIA, false);
  }

  @Test
  void usesTheOcspUrlFromTheCertificate() {
    assertThat(ResponderUris.responderFor(pki.server(), null, false)).contains(AIA);
  }

  @Test
  void prefersTheCertificateOverTheConfiguredResponderWithoutOverride() {
    assertThat(ResponderUris.responderFor(pki.server(), CONFIGURED, false)).contains(AIA);
  }

  @Test
  void overrideUsesTheConfiguredResponderEvenWhenTheCertificateNamesOne() {
    assertThat(ResponderUris.responderFor(pki.server(), CONFIGURED, true)).contains(CONFIGURED);
  }

  @Test
  void overrideWithoutAConfiguredResponderFallsBackToTheCertificate() {
    assertThat(ResponderUris.responderFor(pki.server(), null, true)).contains(AIA);
  }

  @Test
  void usesTheConfiguredResponderWhenTheCertificateHasNoAia() {
    X509Certificate noAia = pki.issueLeaf("no-aia.example.test", null).cert();

    assertThat(ResponderUris.responderFor(noAia, CONFIGURED, false)).contains(CONFIGURED);
  }

  @Test
  void isEmptyWithoutAiaAndWithoutConfiguredResponder() {
    X509Certificate noAia = pki.issueLeaf("no-aia.example.test", null).cert();

    assertThat(ResponderUris.responderFor(noAia, null, false)).isEmpty();
  }

  @Test
  void skipsNonHttpLocationsAndCaIssuersEntries() throws Exception {
    AuthorityInformationAccess aia =
        new AuthorityInformationAccess(
            new AccessDescription[] {
              access(AccessDescription.id_ad_caIssuers, "http://ca.example.test/ca.crt"),
              access(AccessDescription.id_ad_ocsp, "ldap://ldap.example.test/cn=ocsp"),
              new AccessDescription(
                  AccessDescription.id_ad_ocsp,
                  new GeneralName(GeneralName.dNSName, "dns.example.test")),
              access(AccessDescription.id_ad_ocsp, "HTTPS://second.example.test/ocsp"),
              access(AccessDescription.id_ad_ocsp, "http://third.example.test/ocsp")
            });
    X509Certificate cert = leafWithAia(aia);

    assertThat(ResponderUris.responderFor(cert, null, false))
        .contains(URI.create("HTTPS://second.example.test/ocsp"));
    assertThat(ResponderUris.ocspUris(cert))
        .containsExactly(
            URI.create("HTTPS://second.example.test/ocsp"),
            URI.create("http://third.example.test/ocsp"));
  }

  @Test
  void malformedAiaCountsAsAbsentAndThrowsNothing() throws Exception {
    X509Certificate cert = leafWithAia(new byte[] {0x30, 0x05, 0x30, 0x03, 0x06});

    assertThat(ResponderUris.responderFor(cert, null, false)).isEmpty();
    assertThat(ResponderUris.responderFor(cert, CONFIGURED, false)).contains(CONFIGURED);
  }

  @Test
  void unparseableUriInAiaIsSkipped() throws Exception {
    X509Certificate cert =
        leafWithAia(
            new AuthorityInformationAccess(
                access(AccessDescription.id_ad_ocsp, "http://bad host/ocsp")));

    assertThat(ResponderUris.responderFor(cert, null, false)).isEmpty();
  }

  private static AccessDescription access(
      org.bouncycastle.asn1.ASN1ObjectIdentifier method, String uri) {
    return new AccessDescription(
        method, new GeneralName(GeneralName.uniformResourceIdentifier, uri));
  }

  private static X509Certificate leafWithAia(ASN1Encodable aia) throws Exception {
    return leafWithAia(aia.toASN1Primitive().getEncoded());
  }

  /** A leaf signed by the test intermediate whose only extension is an AIA with this value. */
  private static X509Certificate leafWithAia(byte[] aiaValue) throws Exception {
    Instant now = Instant.now();
    JcaX509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            pki.intermediate(),
            BigInteger.valueOf(now.toEpochMilli()),
            Date.from(now.minus(Duration.ofMinutes(1))),
            Date.from(now.plus(Duration.ofDays(1))),
            new X500Name("CN=aia.example.test"),
            pki.server().getPublicKey());
    builder.addExtension(Extension.authorityInfoAccess, false, aiaValue);
    return new JcaX509CertificateConverter()
        .getCertificate(
            builder.build(
                new JcaContentSignerBuilder("SHA256withECDSA").build(pki.intermediateKey())));
  }
}
