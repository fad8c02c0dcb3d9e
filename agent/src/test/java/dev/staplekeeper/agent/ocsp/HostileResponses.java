package dev.staplekeeper.agent.ocsp;

import dev.staplekeeper.testapps.ocsp.OcspResponseFactory;
import dev.staplekeeper.testapps.pki.KeyType;
import dev.staplekeeper.testapps.pki.TestPki;
import java.io.IOException;
import java.math.BigInteger;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.ocsp.BasicOCSPResponse;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.BasicOCSPRespBuilder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/** Builders of the crafted OCSP responses of issue 9, for unit tests and ITs. */
public final class HostileResponses {
  private HostileResponses() {}

  /** {@code basic} (signature untouched) with its unsigned {@code certs} replaced. */
  public static byte[] withCerts(BasicOCSPResp basic, List<? extends ASN1Encodable> certs)
      throws IOException {
    BasicOCSPResponse asn1 = BasicOCSPResponse.getInstance(basic.getEncoded());
    return OcspResponseFactory.successful(
        new BasicOCSPResp(
            new BasicOCSPResponse(
                asn1.getTbsResponseData(),
                asn1.getSignatureAlgorithm(),
                asn1.getSignature(),
                new DERSequence(certs.toArray(new ASN1Encodable[0])))));
  }

  /** Adds SingleResponses to a builder. */
  public interface Singles {
    void add(BasicOCSPRespBuilder b) throws Exception;
  }

  /**
   * A response with the given SingleResponses, signed by the delegated responder of {@code pki}.
   */
  public static byte[] signedBy(TestPki pki, Instant producedAt, Singles singles) throws Exception {
    BasicOCSPRespBuilder b =
        new BasicOCSPRespBuilder(
            new org.bouncycastle.cert.ocsp.RespID(
                SubjectPublicKeyInfo.getInstance(pki.ocspSigner().getPublicKey().getEncoded()),
                new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1)));
    singles.add(b);
    PrivateKey key = pki.ocspSignerKey();
    return OcspResponseFactory.successful(
        b.build(
            new JcaContentSignerBuilder(KeyType.signatureAlgorithmFor(key)).build(key),
            new X509CertificateHolder[] {new JcaX509CertificateHolder(pki.ocspSigner())},
            Date.from(producedAt)));
  }

  /**
   * The delegated signer's subject and key, issued by the intermediate with OCSPSigning, but a
   * KeyUsage that is not a BIT STRING: Bouncy Castle parses it, the JDK does not.
   */
  public static Certificate signerWithMalformedKeyUsage(TestPki pki, Instant now) throws Exception {
    X509Certificate real = pki.ocspSigner();
    JcaX509v3CertificateBuilder b =
        new JcaX509v3CertificateBuilder(
            X500Name.getInstance(pki.intermediate().getSubjectX500Principal().getEncoded()),
            BigInteger.valueOf(4242),
            Date.from(now.minusSeconds(3600)),
            Date.from(now.plusSeconds(86400)),
            X500Name.getInstance(real.getSubjectX500Principal().getEncoded()),
            real.getPublicKey());
    b.addExtension(
        Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_OCSPSigning));
    b.addExtension(Extension.keyUsage, true, new ASN1Integer(5));
    PrivateKey ca = pki.intermediateKey();
    return b.build(new JcaContentSignerBuilder(KeyType.signatureAlgorithmFor(ca)).build(ca))
        .toASN1Structure();
  }
}
