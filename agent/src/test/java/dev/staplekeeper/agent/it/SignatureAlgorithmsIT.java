package dev.staplekeeper.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.math.BigInteger;
import java.net.URL;
import java.net.URLClassLoader;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSASSAPSSparams;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.cert.ocsp.BasicOCSPRespBuilder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.bouncycastle.cert.ocsp.RespID;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.junit.jupiter.api.Test;

/**
 * The packaged (minimized) jar validates OCSP responses signed with every signature algorithm a CA
 * uses: RSA PKCS#1, RSASSA-PSS, ECDSA on P-256 and P-384 and Ed25519, signed by the issuer itself
 * and by a delegated OCSP signer. The agent's own {@code ResponseValidator} and {@code CertId} are
 * loaded from the shaded jar (with its relocated Bouncy Castle), not from the build's classes, so a
 * class the jar lacks fails here.
 */
class SignatureAlgorithmsIT {
  private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);

  @Test
  void theJarValidatesResponsesOfEveryCommonSignatureAlgorithmAndDelegatedSigners()
      throws Exception {
    List<String> results = new ArrayList<>();
    try (URLClassLoader jar =
        new URLClassLoader(
            new URL[] {ForkedServer.agentJar().toUri().toURL()},
            ClassLoader.getPlatformClassLoader())) {
      Class<?> certIdClass = Class.forName("dev.staplekeeper.agent.ocsp.CertId", true, jar);
      Method certIdOf = certIdClass.getMethod("of", X509Certificate.class, X509Certificate.class);
      Class<?> validatorClass =
          Class.forName("dev.staplekeeper.agent.ocsp.ResponseValidator", true, jar);
      Object validator = validatorClass.getConstructor(Duration.class).newInstance(Duration.ZERO);
      Method validate =
          validatorClass.getMethod(
              "validate", byte[].class, certIdClass, X509Certificate.class, Instant.class);
      for (String[] alg :
          new String[][] {
            {"RSA", "SHA256withRSA"},
            // RSASSA-PSS with SHA-256, MGF1-SHA-256, 32 bytes of salt: by an RSASSA-PSS key and
            // by a plain RSA key (Bouncy Castle's helper alone asked the JDK for
            // "SHA256WITHRSASSA-PSS", which it does not have: RsaPssSignature)
            {"RSASSA-PSS", "RSASSA-PSS"},
            {"RSA", "RSASSA-PSS"},
            {"EC:secp256r1", "SHA256withECDSA"},
            {"EC:secp384r1", "SHA384withECDSA"},
            {"Ed25519", "Ed25519"}
          }) {
        KeyPair caKeys = keys(alg[0]);
        X509Certificate ca = cert("CN=CA " + alg[0], "CN=CA " + alg[0], caKeys, caKeys, alg[1], 0);
        KeyPair leafKeys = keys("EC:secp256r1");
        X509Certificate leaf = cert("CN=leaf", ca, leafKeys, caKeys.getPrivate(), alg[1], 1);
        KeyPair signerKeys = keys(alg[0]);
        X509Certificate signer =
            cert("CN=OCSP " + alg[0], ca, signerKeys, caKeys.getPrivate(), alg[1], 2);
        for (boolean delegated : new boolean[] {false, true}) {
          byte[] der =
              response(
                  leaf,
                  ca,
                  delegated ? signerKeys.getPrivate() : caKeys.getPrivate(),
                  delegated ? signer : null,
                  alg[1]);
          Object id = certIdOf.invoke(null, leaf, ca);
          Object validated = validate.invoke(validator, der, id, ca, NOW);
          assertThat(validated).as("%s delegated=%s", alg[1], delegated).isNotNull();
          results.add(alg[1] + (delegated ? " delegated" : " issuer"));
        }
      }
    }
    assertThat(results).hasSize(12);
  }

  private static ContentSigner signer(String sigAlg, PrivateKey key) throws Exception {
    if (sigAlg.equals("RSASSA-PSS")) {
      // BC's builder names this SHA256WITHRSASSA-PSS, which the JDK does not know: sign with the
      // JDK's RSASSA-PSS and the matching AlgorithmIdentifier
      AlgorithmIdentifier sha256 =
          new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha256, DERNull.INSTANCE);
      AlgorithmIdentifier algId =
          new AlgorithmIdentifier(
              PKCSObjectIdentifiers.id_RSASSA_PSS,
              new RSASSAPSSparams(
                  sha256,
                  new AlgorithmIdentifier(PKCSObjectIdentifiers.id_mgf1, sha256),
                  new ASN1Integer(32),
                  new ASN1Integer(1)));
      Signature sig = Signature.getInstance("RSASSA-PSS");
      sig.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
      sig.initSign(key);
      ByteArrayOutputStream data = new ByteArrayOutputStream();
      return new ContentSigner() {
        @Override
        public AlgorithmIdentifier getAlgorithmIdentifier() {
          return algId;
        }

        @Override
        public OutputStream getOutputStream() {
          return data;
        }

        @Override
        public byte[] getSignature() {
          try {
            sig.update(data.toByteArray());
            return sig.sign();
          } catch (java.security.SignatureException e) {
            throw new IllegalStateException(e);
          }
        }
      };
    }
    return new JcaContentSignerBuilder(sigAlg).build(key);
  }

  private static KeyPair keys(String spec) throws Exception {
    if (spec.startsWith("EC:")) {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec(spec.substring(3)));
      return g.generateKeyPair();
    }
    KeyPairGenerator g = KeyPairGenerator.getInstance(spec);
    if (!spec.equals("Ed25519")) {
      g.initialize(2048);
    }
    return g.generateKeyPair();
  }

  private static X509Certificate cert(
      String subject, String issuer, KeyPair keys, KeyPair issuerKeys, String sigAlg, int kind)
      throws Exception {
    return build(subject, new X500Name(issuer), keys, issuerKeys.getPrivate(), sigAlg, kind);
  }

  private static X509Certificate cert(
      String subject,
      X509Certificate issuer,
      KeyPair keys,
      PrivateKey issuerKey,
      String sigAlg,
      int kind)
      throws Exception {
    return build(
        subject,
        X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded()),
        keys,
        issuerKey,
        sigAlg,
        kind);
  }

  /** kind 0: CA, 1: leaf, 2: delegated OCSP signer. */
  private static X509Certificate build(
      String subject, X500Name issuer, KeyPair keys, PrivateKey issuerKey, String sigAlg, int kind)
      throws Exception {
    JcaX509v3CertificateBuilder b =
        new JcaX509v3CertificateBuilder(
            issuer,
            BigInteger.valueOf(System.nanoTime()),
            Date.from(NOW.minus(Duration.ofHours(1))),
            Date.from(NOW.plus(Duration.ofDays(1))),
            new X500Name(subject),
            keys.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(kind == 0));
    if (kind == 2) {
      b.addExtension(
          Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_OCSPSigning));
    }
    X509CertificateHolder h = b.build(signer(sigAlg, issuerKey));
    return new JcaX509CertificateConverter().getCertificate(h);
  }

  private static byte[] response(
      X509Certificate leaf,
      X509Certificate issuer,
      PrivateKey key,
      X509Certificate signerCert,
      String sigAlg)
      throws Exception {
    CertificateID id =
        new CertificateID(
            new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1),
            new X509CertificateHolder(issuer.getEncoded()),
            leaf.getSerialNumber());
    X509Certificate responder = signerCert == null ? issuer : signerCert;
    BasicOCSPRespBuilder b =
        new BasicOCSPRespBuilder(
            new RespID(X500Name.getInstance(responder.getSubjectX500Principal().getEncoded())));
    b.addResponse(
        id,
        CertificateStatus.GOOD,
        Date.from(NOW.minus(Duration.ofMinutes(1))),
        Date.from(NOW.plus(Duration.ofHours(1))));
    X509CertificateHolder[] chain =
        signerCert == null
            ? null
            : new X509CertificateHolder[] {new X509CertificateHolder(signerCert.getEncoded())};
    return new OCSPRespBuilder()
        .build(OCSPRespBuilder.SUCCESSFUL, b.build(signer(sigAlg, key), chain, Date.from(NOW)))
        .getEncoded();
  }
}
