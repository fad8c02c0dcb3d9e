package dev.staplekeeper.testapps.pki;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away PKI for tests: root CA, intermediate CA, delegated OCSP signers, an unrelated rogue
 * CA and a {@code CN=localhost} server certificate whose AIA points at a test OCSP responder.
 *
 * <p>Keys are EC P-256 (fast to generate) and certificates are valid from one hour ago for 30 days.
 * Everything is written to a directory so that other processes (servers, {@code openssl}) can use
 * it and {@link #load(Path)} can read it back:
 *
 * <ul>
 *   <li>{@code root.pem}, {@code intermediate.pem}, {@code server.pem}, {@code chain.pem} (leaf +
 *       intermediate), {@code server-key.pem} (PKCS#8), {@code ocsp-signer.pem}, {@code
 *       ocsp-signer-key.pem}, {@code intermediate-key.pem}, {@code rogue.pem};
 *   <li>{@code server.p12} (alias {@code server}, chain leaf + intermediate), {@code
 *       truststore.p12} (trusted entry {@code root}), and {@code root.p12}, {@code
 *       intermediate.p12}, {@code ocsp-signer.p12}, {@code ocsp-signer-no-eku.p12}, {@code
 *       rogue.p12} holding the signing keys; all with password {@value #PASSWORD};
 *   <li>{@code index.txt}, an {@code openssl ocsp -index} file listing the server certificate as
 *       valid.
 * </ul>
 *
 * <p>Instances are immutable and thread-safe; {@link #issueLeaf} writes nothing to disk.
 */
public final class TestPki {
  public static final String PASSWORD = "changeit";

  /** id-pkix-ocsp-nocheck (RFC 6960 section 4.2.2.2.1). */
  public static final ASN1ObjectIdentifier OCSP_NOCHECK =
      new ASN1ObjectIdentifier("1.3.6.1.5.5.7.48.1.5");

  /** TLS Feature extension (RFC 7633), "Must-Staple" when it lists status_request(5). */
  public static final ASN1ObjectIdentifier TLS_FEATURE =
      new ASN1ObjectIdentifier("1.3.6.1.5.5.7.1.24");

  static final String SERVER_ALIAS = "server";
  private static final Duration BACKDATE = Duration.ofHours(1);
  private static final Duration LIFETIME = Duration.ofDays(30);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path dir;
  private final IssuedCert root;
  private final IssuedCert intermediate;
  private final IssuedCert server;
  private final IssuedCert ocspSigner;
  private final IssuedCert ocspSignerWithoutEku;
  private final IssuedCert rogue;

  private TestPki(
      Path dir,
      IssuedCert root,
      IssuedCert intermediate,
      IssuedCert server,
      IssuedCert ocspSigner,
      IssuedCert ocspSignerWithoutEku,
      IssuedCert rogue) {
    this.dir = dir;
    this.root = root;
    this.intermediate = intermediate;
    this.server = server;
    this.ocspSigner = ocspSigner;
    this.ocspSignerWithoutEku = ocspSignerWithoutEku;
    this.rogue = rogue;
  }

  /**
   * Generates a new PKI and writes it to {@code dir} (created if missing, files overwritten).
   *
   * @param ocspUrl the OCSP URL put in the server certificate's AIA extension
   * @param mustStaple whether the server certificate carries the TLS Feature status_request
   *     extension
   */
  public static TestPki create(Path dir, URI ocspUrl, boolean mustStaple) throws IOException {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Instant notBefore = now.minus(BACKDATE);
    Instant notAfter = now.plus(LIFETIME);

    KeyPair rootKeys = generate(KeyType.EC_P256);
    X500Name rootName = new X500Name("CN=StapleKeeper Test Root CA,O=StapleKeeper Test");
    X509Certificate rootCert =
        build(
            selfIssued(rootName, rootKeys, notBefore, notAfter),
            rootKeys.getPrivate(),
            b -> {
              b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
              b.addExtension(
                  Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
              b.addExtension(
                  Extension.subjectKeyIdentifier,
                  false,
                  ext().createSubjectKeyIdentifier(rootKeys.getPublic()));
            });
    IssuedCert root = new IssuedCert(rootCert, rootKeys.getPrivate(), chain(rootCert));

    KeyPair intKeys = generate(KeyType.EC_P256);
    X509Certificate intCert =
        build(
            issued(
                root,
                new X500Name("CN=StapleKeeper Test Intermediate CA,O=StapleKeeper Test"),
                intKeys,
                notBefore,
                notAfter),
            root.key(),
            b -> {
              b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
              b.addExtension(
                  Extension.keyUsage,
                  true,
                  new KeyUsage(
                      KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
              keyIds(b, intKeys, rootCert);
            });
    IssuedCert intermediate =
        new IssuedCert(intCert, intKeys.getPrivate(), chain(intCert, rootCert));

    IssuedCert signer =
        issueSigner(intermediate, "CN=StapleKeeper Test OCSP Signer,O=StapleKeeper Test", true);
    IssuedCert signerNoEku =
        issueSigner(
            intermediate,
            "CN=StapleKeeper Test OCSP Signer without EKU,O=StapleKeeper Test",
            false);

    KeyPair rogueKeys = generate(KeyType.EC_P256);
    X500Name rogueName = new X500Name("CN=StapleKeeper Rogue CA,O=Not StapleKeeper");
    X509Certificate rogueCert =
        build(
            selfIssued(rogueName, rogueKeys, notBefore, notAfter),
            rogueKeys.getPrivate(),
            b -> {
              b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
              b.addExtension(
                  Extension.keyUsage,
                  true,
                  new KeyUsage(
                      KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
              b.addExtension(
                  Extension.subjectKeyIdentifier,
                  false,
                  ext().createSubjectKeyIdentifier(rogueKeys.getPublic()));
              b.addExtension(
                  Extension.extendedKeyUsage,
                  false,
                  new ExtendedKeyUsage(KeyPurposeId.id_kp_OCSPSigning));
            });
    IssuedCert rogue = new IssuedCert(rogueCert, rogueKeys.getPrivate(), chain(rogueCert));

    IssuedCert server =
        issueLeaf(intermediate, "localhost", ocspUrl, KeyType.EC_P256, mustStaple, notBefore);

    TestPki pki = new TestPki(dir, root, intermediate, server, signer, signerNoEku, rogue);
    pki.write();
    return pki;
  }

  /** Reads a PKI written by {@link #create}. */
  public static TestPki load(Path dir) throws IOException {
    if (!Files.isRegularFile(dir.resolve("server.p12"))) {
      throw new IOException("no test PKI in " + dir + " (server.p12 missing)");
    }
    char[] pw = PASSWORD.toCharArray();
    return new TestPki(
        dir,
        IssuedCert.readKeystore(dir.resolve("root.p12"), "root", pw),
        IssuedCert.readKeystore(dir.resolve("intermediate.p12"), "intermediate", pw),
        IssuedCert.readKeystore(dir.resolve("server.p12"), SERVER_ALIAS, pw),
        IssuedCert.readKeystore(dir.resolve("ocsp-signer.p12"), "ocsp-signer", pw),
        IssuedCert.readKeystore(dir.resolve("ocsp-signer-no-eku.p12"), "ocsp-signer-no-eku", pw),
        IssuedCert.readKeystore(dir.resolve("rogue.p12"), "rogue", pw));
  }

  /** Whether {@code dir} holds a PKI written by {@link #create}. */
  public static boolean exists(Path dir) {
    return Files.isRegularFile(dir.resolve("server.p12"))
        && Files.isRegularFile(dir.resolve("rogue.p12"));
  }

  /**
   * Issues another leaf certificate from the intermediate (EC P-256, new random serial, serverAuth,
   * SAN DNS:{@code cn}, DNS:localhost and IP:127.0.0.1, AIA pointing at {@code ocspUrl}). Nothing
   * is written to disk; use {@link IssuedCert#writeKeystore} for that.
   */
  public IssuedCert issueLeaf(String cn, URI ocspUrl) {
    return issueLeaf(cn, ocspUrl, KeyType.EC_P256, false);
  }

  /** Like {@link #issueLeaf(String, URI)} with a key type and optional Must-Staple extension. */
  public IssuedCert issueLeaf(String cn, URI ocspUrl, KeyType keyType, boolean mustStaple) {
    try {
      return issueLeaf(
          intermediate,
          cn,
          ocspUrl,
          keyType,
          mustStaple,
          Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(BACKDATE));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Path dir() {
    return dir;
  }

  /** {@code server.p12}: PKCS12, password {@value #PASSWORD}, alias {@code server}. */
  public Path keystore() {
    return dir.resolve("server.p12");
  }

  /** {@code truststore.p12}: PKCS12, password {@value #PASSWORD}, trusted entry {@code root}. */
  public Path truststore() {
    return dir.resolve("truststore.p12");
  }

  public X509Certificate root() {
    return root.cert();
  }

  public PrivateKey rootKey() {
    return root.key();
  }

  public X509Certificate intermediate() {
    return intermediate.cert();
  }

  public PrivateKey intermediateKey() {
    return intermediate.key();
  }

  public X509Certificate server() {
    return server.cert();
  }

  public PrivateKey serverKey() {
    return server.key();
  }

  /** {leaf, intermediate}, as the server sends it. */
  public X509Certificate[] serverChain() {
    return server.chain();
  }

  /** Delegated OCSP signer issued by the intermediate, with id-kp-OCSPSigning and ocsp-nocheck. */
  public X509Certificate ocspSigner() {
    return ocspSigner.cert();
  }

  public PrivateKey ocspSignerKey() {
    return ocspSigner.key();
  }

  /** Issued by the intermediate like {@link #ocspSigner()} but with no extended key usage. */
  public X509Certificate ocspSignerWithoutEku() {
    return ocspSignerWithoutEku.cert();
  }

  public PrivateKey ocspSignerWithoutEkuKey() {
    return ocspSignerWithoutEku.key();
  }

  /**
   * A self-signed CA unrelated to this PKI (it even claims id-kp-OCSPSigning): what a forged
   * response is signed with.
   */
  public X509Certificate rogue() {
    return rogue.cert();
  }

  public PrivateKey rogueKey() {
    return rogue.key();
  }

  /** The OCSP URL in the server certificate's AIA extension, or null if there is none. */
  public URI ocspUrl() {
    return Certificates.ocspUrl(server.cert());
  }

  /** Whether the server certificate carries the TLS Feature (Must-Staple) extension. */
  public boolean mustStaple() {
    return server.cert().getExtensionValue(TLS_FEATURE.getId()) != null;
  }

  private void write() throws IOException {
    Files.createDirectories(dir);
    char[] pw = PASSWORD.toCharArray();
    Pem.write(dir.resolve("root.pem"), Pem.certificate(root.cert()));
    Pem.write(dir.resolve("intermediate.pem"), Pem.certificate(intermediate.cert()));
    Pem.write(dir.resolve("intermediate-key.pem"), Pem.privateKey(intermediate.key()));
    Pem.write(dir.resolve("server.pem"), Pem.certificate(server.cert()));
    Pem.write(dir.resolve("server-key.pem"), Pem.privateKey(server.key()));
    Pem.write(dir.resolve("chain.pem"), Pem.certificates(server.chain()));
    Pem.write(dir.resolve("ocsp-signer.pem"), Pem.certificate(ocspSigner.cert()));
    Pem.write(dir.resolve("ocsp-signer-key.pem"), Pem.privateKey(ocspSigner.key()));
    Pem.write(dir.resolve("rogue.pem"), Pem.certificate(rogue.cert()));
    root.writeKeystore(dir.resolve("root.p12"), "root", pw);
    intermediate.writeKeystore(dir.resolve("intermediate.p12"), "intermediate", pw);
    ocspSigner.writeKeystore(dir.resolve("ocsp-signer.p12"), "ocsp-signer", pw);
    ocspSignerWithoutEku.writeKeystore(
        dir.resolve("ocsp-signer-no-eku.p12"), "ocsp-signer-no-eku", pw);
    rogue.writeKeystore(dir.resolve("rogue.p12"), "rogue", pw);
    writeTruststore(pw);
    Pem.write(dir.resolve("index.txt"), opensslIndexLine(server.cert()));
    // server.p12 last: its presence marks a complete PKI (see exists/load).
    server.writeKeystore(dir.resolve("server.p12"), SERVER_ALIAS, pw);
  }

  private void writeTruststore(char[] pw) throws IOException {
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setCertificateEntry("root", root.cert());
      try (var out = Files.newOutputStream(truststore())) {
        ks.store(out, pw);
      }
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot write truststore: " + e.getMessage(), e);
    }
  }

  private static String opensslIndexLine(X509Certificate cert) {
    String expiry =
        DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'")
            .withZone(ZoneOffset.UTC)
            .format(cert.getNotAfter().toInstant());
    return "V\t"
        + expiry
        + "\t\t"
        + cert.getSerialNumber().toString(16).toUpperCase(java.util.Locale.ROOT)
        + "\tunknown\t/CN=localhost\n";
  }

  private static IssuedCert issueSigner(IssuedCert issuer, String dn, boolean withEku)
      throws IOException {
    KeyPair keys = generate(KeyType.EC_P256);
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    X509Certificate cert =
        build(
            issued(issuer, new X500Name(dn), keys, now.minus(BACKDATE), now.plus(LIFETIME)),
            issuer.key(),
            b -> {
              b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
              b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
              if (withEku) {
                b.addExtension(
                    Extension.extendedKeyUsage,
                    false,
                    new ExtendedKeyUsage(KeyPurposeId.id_kp_OCSPSigning));
                b.addExtension(OCSP_NOCHECK, false, DERNull.INSTANCE);
              }
              keyIds(b, keys, issuer.cert());
            });
    return new IssuedCert(cert, keys.getPrivate(), chain(cert, issuer.cert()));
  }

  private static IssuedCert issueLeaf(
      IssuedCert issuer,
      String cn,
      URI ocspUrl,
      KeyType keyType,
      boolean mustStaple,
      Instant notBefore)
      throws IOException {
    KeyPair keys = generate(keyType);
    X509Certificate cert =
        build(
            issued(
                issuer,
                new X500Name("CN=" + cn),
                keys,
                notBefore,
                notBefore.plus(BACKDATE).plus(LIFETIME)),
            issuer.key(),
            b -> {
              b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
              int usage =
                  keyType == KeyType.RSA_2048
                      ? KeyUsage.digitalSignature | KeyUsage.keyEncipherment
                      : KeyUsage.digitalSignature;
              b.addExtension(Extension.keyUsage, true, new KeyUsage(usage));
              b.addExtension(
                  Extension.extendedKeyUsage,
                  false,
                  new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
              b.addExtension(Extension.subjectAlternativeName, false, sans(cn));
              if (ocspUrl != null) {
                b.addExtension(
                    Extension.authorityInfoAccess,
                    false,
                    new AuthorityInformationAccess(
                        new AccessDescription(
                            AccessDescription.id_ad_ocsp,
                            new GeneralName(
                                GeneralName.uniformResourceIdentifier, ocspUrl.toString()))));
              }
              if (mustStaple) {
                ASN1EncodableVector features = new ASN1EncodableVector();
                features.add(new ASN1Integer(5)); // status_request
                b.addExtension(TLS_FEATURE, false, new DERSequence(features));
              }
              keyIds(b, keys, issuer.cert());
            });
    return new IssuedCert(cert, keys.getPrivate(), chain(cert, issuer.cert()));
  }

  private static GeneralNames sans(String cn) {
    if (cn.equals("localhost")) {
      return new GeneralNames(
          new GeneralName[] {
            new GeneralName(GeneralName.dNSName, "localhost"),
            new GeneralName(GeneralName.iPAddress, "127.0.0.1")
          });
    }
    return new GeneralNames(
        new GeneralName[] {
          new GeneralName(GeneralName.dNSName, cn),
          new GeneralName(GeneralName.dNSName, "localhost"),
          new GeneralName(GeneralName.iPAddress, "127.0.0.1")
        });
  }

  /** Keys for the test PKI. */
  public static KeyPair generate(KeyType type) {
    try {
      KeyPairGenerator gen = KeyPairGenerator.getInstance(type.algorithm());
      if (type == KeyType.EC_P256) {
        gen.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      } else {
        gen.initialize(2048, RANDOM);
      }
      return gen.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private interface Extensions {
    void add(X509v3CertificateBuilder builder) throws IOException, GeneralSecurityException;
  }

  private static X509v3CertificateBuilder selfIssued(
      X500Name name, KeyPair keys, Instant notBefore, Instant notAfter) {
    return new JcaX509v3CertificateBuilder(
        name, serial(), Date.from(notBefore), Date.from(notAfter), name, keys.getPublic());
  }

  private static X509v3CertificateBuilder issued(
      IssuedCert issuer, X500Name subject, KeyPair keys, Instant notBefore, Instant notAfter) {
    return new JcaX509v3CertificateBuilder(
        issuer.cert(),
        serial(),
        Date.from(notBefore),
        Date.from(notAfter),
        subject,
        keys.getPublic());
  }

  private static X509Certificate build(
      X509v3CertificateBuilder builder, PrivateKey signingKey, Extensions extensions)
      throws IOException {
    try {
      extensions.add(builder);
      var signer =
          new JcaContentSignerBuilder(KeyType.signatureAlgorithmFor(signingKey)).build(signingKey);
      return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IOException("cannot build certificate: " + e.getMessage(), e);
    }
  }

  private static void keyIds(X509v3CertificateBuilder b, KeyPair keys, X509Certificate issuer)
      throws IOException, GeneralSecurityException {
    b.addExtension(
        Extension.subjectKeyIdentifier, false, ext().createSubjectKeyIdentifier(keys.getPublic()));
    b.addExtension(
        Extension.authorityKeyIdentifier, false, ext().createAuthorityKeyIdentifier(issuer));
  }

  private static JcaX509ExtensionUtils ext() throws GeneralSecurityException {
    return new JcaX509ExtensionUtils();
  }

  /** A random positive serial of 127 bits (what public CAs do, RFC 5280 allows up to 20 bytes). */
  static BigInteger serial() {
    return new BigInteger(127, RANDOM).setBit(120);
  }

  private static X509Certificate[] chain(X509Certificate... certs) {
    return certs;
  }
}
