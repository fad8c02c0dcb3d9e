package dev.staplekeeper.agent.ocsp;

import java.io.IOException;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ocsp.CertID;
import org.bouncycastle.cert.ocsp.CertificateID;

/** StapleKeeper's CertID as Bouncy Castle reads it: what test responses are built for. */
final class BcCertIds {
  private BcCertIds() {}

  static CertificateID of(CertId id) {
    try {
      return new CertificateID(CertID.getInstance(ASN1Primitive.fromByteArray(id.encoded())));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
