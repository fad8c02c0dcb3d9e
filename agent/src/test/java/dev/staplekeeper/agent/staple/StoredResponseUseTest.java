package dev.staplekeeper.agent.staple;

import static org.assertj.core.api.Assertions.assertThat;

import dev.staplekeeper.agent.ocsp.CertId;
import dev.staplekeeper.agent.ocsp.ResponseValidator;
import dev.staplekeeper.agent.ocsp.ValidatedResponse;
import dev.staplekeeper.agent.store.FileResponseStore;
import dev.staplekeeper.testapps.ocsp.OcspResponseFactory;
import dev.staplekeeper.testapps.pki.IssuedCert;
import dev.staplekeeper.testapps.pki.KeyType;
import dev.staplekeeper.testapps.pki.TestPki;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9 point 4: a planted store file never makes StapleKeeper contact a responder, and never
 * redirects the fetches of a certificate the server presents. Fetch URLs come from the live
 * certificate (here: a resolver that reads the certificate's own AIA).
 */
class StoredResponseUseTest {
  static final URI EVIL = URI.create("http://127.0.0.66:9/evil");
  @TempDir static Path pkiDir;
  static TestPki pki;
  static OcspResponseFactory factory;

  @TempDir Path cacheDir;
  FakeClock clock;
  ManualScheduler scheduler;
  final List<URI> fetched = new CopyOnWriteArrayList<>();
  final List<X509Certificate> resolved = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void createPki() throws Exception {
    pki = TestPki.create(pkiDir, URI.create("http://127.0.0.1:1/ocsp"), false);
    factory = new OcspResponseFactory(pki);
  }

  @BeforeEach
  void setUp() {
    clock = new FakeClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    scheduler = new ManualScheduler(clock);
  }

  StapleService service(ResponseStore store) throws Exception {
    return StapleService.builder(StapleServiceTest.SETTINGS)
        .clock(clock)
        .scheduler(scheduler)
        .source(
            (uri, id) -> {
              fetched.add(uri);
              return factory
                  .forCertificate(pki.server())
                  .thisUpdate(clock.instant())
                  .validity(Duration.ofDays(7))
                  .build();
            })
        .validator(new ResponseValidator(Duration.ofMinutes(5)))
        .resolver(
            cert -> {
              resolved.add(cert);
              return aia(cert);
            })
        .store(store)
        .random(() -> 0.5)
        .build();
  }

  ValidatedResponse valid(X509Certificate cert) throws Exception {
    return new ResponseValidator(Duration.ofMinutes(5))
        .validate(
            factory
                .forCertificate(cert)
                .thisUpdate(clock.instant())
                .validity(Duration.ofDays(7))
                .build(),
            CertId.of(cert, pki.intermediate()),
            pki.intermediate(),
            clock.instant());
  }

  @Test
  void aPlantedFileForACertificateTheServerDoesNotPresentContactsNoResponder() throws Exception {
    IssuedCert stranger = pki.issueLeaf("stranger.example", EVIL);
    ResponseStore store = FileResponseStore.open(cacheDir);
    store.save(stranger.cert(), pki.intermediate(), valid(stranger.cert()));
    StapleService s = service(store);

    assertThat(s.loadStored()).isEqualTo(1);
    scheduler.advance(Duration.ofDays(7));

    assertThat(fetched).isEmpty();
    assertThat(resolved).isEmpty();
    assertThat(s.describe()).isEmpty();
  }

  @Test
  void aPlantedFileNamingAnotherResponderDoesNotRedirectTheRealCertificate() throws Exception {
    X509Certificate forged = sameSerialOtherAia(pki.server(), EVIL);
    assertThat(CertId.of(forged, pki.intermediate()))
        .isEqualTo(CertId.of(pki.server(), pki.intermediate()));
    ResponseStore store = FileResponseStore.open(cacheDir);
    store.save(forged, pki.intermediate(), valid(pki.server()));
    StapleService s = service(store);

    assertThat(s.loadStored()).isEqualTo(1);
    X509Certificate[] chain = pki.serverChain();
    assertThat(s.responses("OCSP", chain))
        .as("the file's certificate is not the live one")
        .isEmpty();
    scheduler.runDue();

    assertThat(fetched).containsExactly(pki.ocspUrl());
    assertThat(resolved).containsOnly(pki.server());
    assertThat(s.responses("OCSP", chain)).containsKey(chain[0]);
  }

  @Test
  void aStoredResponseOfThePresentedCertificateIsStapledAtOnceAndRefreshedFromItsOwnAia()
      throws Exception {
    ResponseStore store = FileResponseStore.open(cacheDir);
    ValidatedResponse r = valid(pki.server());
    store.save(pki.server(), pki.intermediate(), r);
    StapleService s = service(store);
    s.loadStored();

    assertThat(s.responses("OCSP", pki.serverChain()).get(pki.server())).isEqualTo(r.der());
    assertThat(fetched).isEmpty();
    scheduler.advance(Duration.ofDays(4));
    assertThat(fetched).containsOnly(pki.ocspUrl()).isNotEmpty();
  }

  /**
   * The first handshake for a certificate publishes its entry; a second handshake that finds the
   * entry while the first is still setting it up (held here at its "now stapling" line) must see
   * the stored response already attached, not an empty entry (coldWait is zero: it would go
   * unstapled).
   */
  @Test
  void aHandshakeRacingTheFirstForTheSameCertificateGetsTheStoredResponse() throws Exception {
    ResponseStore store = FileResponseStore.open(cacheDir);
    ValidatedResponse r = valid(pki.server());
    store.save(pki.server(), pki.intermediate(), r);
    StapleService s = service(store);
    s.loadStored();
    X509Certificate[] chain = pki.serverChain();
    AtomicReference<Map<X509Certificate, byte[]>> second = new AtomicReference<>();
    Handler racer =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            if (record.getMessage().startsWith("StapleKeeper now stapling")
                && second.get() == null) {
              Thread t = new Thread(() -> second.set(s.responses("OCSP", chain)));
              t.start();
              try {
                t.join(10_000);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    Logger logger = Logger.getLogger("dev.staplekeeper");
    logger.addHandler(racer);
    try {
      assertThat(s.responses("OCSP", chain).get(pki.server())).isEqualTo(r.der());
    } finally {
      logger.removeHandler(racer);
    }

    assertThat(second.get()).as("the racing handshake ran").isNotNull();
    assertThat(second.get().get(pki.server())).isEqualTo(r.der());
  }

  /** The OCSP URL in the certificate's AIA, as the agent's resolver reads it. */
  static URI aia(X509Certificate cert) {
    byte[] ext = cert.getExtensionValue(Extension.authorityInfoAccess.getId());
    if (ext == null) {
      return null;
    }
    AuthorityInformationAccess aia =
        AuthorityInformationAccess.getInstance(
            org.bouncycastle.asn1.ASN1OctetString.getInstance(ext).getOctets());
    for (AccessDescription d : aia.getAccessDescriptions()) {
      if (d.getAccessMethod().equals(AccessDescription.id_ad_ocsp)) {
        return URI.create(d.getAccessLocation().getName().toString());
      }
    }
    return null;
  }

  /** A certificate with {@code real}'s issuer name and serial (so the same CertID), other AIA. */
  static X509Certificate sameSerialOtherAia(X509Certificate real, URI ocsp) throws Exception {
    JcaX509v3CertificateBuilder b =
        new JcaX509v3CertificateBuilder(
            X500Name.getInstance(real.getIssuerX500Principal().getEncoded()),
            real.getSerialNumber(),
            Date.from(Instant.now().minusSeconds(3600)),
            Date.from(Instant.now().plusSeconds(86400)),
            X500Name.getInstance(real.getSubjectX500Principal().getEncoded()),
            real.getPublicKey());
    b.addExtension(
        Extension.authorityInfoAccess,
        false,
        new AuthorityInformationAccess(
            AccessDescription.id_ad_ocsp,
            new GeneralName(GeneralName.uniformResourceIdentifier, ocsp.toString())));
    PrivateKey rogue = pki.rogueKey();
    byte[] der =
        b.build(new JcaContentSignerBuilder(KeyType.signatureAlgorithmFor(rogue)).build(rogue))
            .getEncoded();
    return (X509Certificate)
        CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
  }
}
