package dev.staplekeeper.agent.ocsp;

import java.io.IOException;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;

/**
 * Verifies RSASSA-PSS signatures with the JDK's own {@code RSASSA-PSS} signature. Bouncy Castle's
 * JCA helper names a PSS algorithm identifier after its BC provider ({@code SHA256WITHRSASSA-PSS}),
 * which the JDK's providers do not offer, and StapleKeeper never registers the BC provider; the JDK
 * takes the parameters (hash, MGF1 hash, salt length) from the identifier itself instead.
 *
 * <p>Contract: {@link #handles} is true for {@code id-RSASSA-PSS} only; {@link #verifies} is false
 * for a bad signature and for parameters the JDK refuses, never throws for them.
 */
final class RsaPssSignature {
  /** RFC 4055: absent parameters mean SHA-1, MGF1 with SHA-1, 20 bytes of salt. */
  private static final PSSParameterSpec RFC_4055_DEFAULT =
      new PSSParameterSpec("SHA-1", "MGF1", MGF1ParameterSpec.SHA1, 20, 1);

  private RsaPssSignature() {}

  static boolean handles(AlgorithmIdentifier algorithm) {
    return PKCSObjectIdentifiers.id_RSASSA_PSS.equals(algorithm.getAlgorithm());
  }

  static boolean verifies(
      byte[] signed, AlgorithmIdentifier algorithm, byte[] signature, PublicKey key) {
    try {
      Signature verifier = Signature.getInstance("RSASSA-PSS");
      verifier.setParameter(parameters(algorithm.getParameters()));
      verifier.initVerify(key);
      verifier.update(signed);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | IOException | RuntimeException e) {
      return false;
    }
  }

  private static PSSParameterSpec parameters(ASN1Encodable encoded)
      throws GeneralSecurityException, IOException {
    if (encoded == null || DERNull.INSTANCE.equals(encoded)) {
      return RFC_4055_DEFAULT;
    }
    AlgorithmParameters params = AlgorithmParameters.getInstance("RSASSA-PSS");
    params.init(encoded.toASN1Primitive().getEncoded());
    return params.getParameterSpec(PSSParameterSpec.class);
  }
}
