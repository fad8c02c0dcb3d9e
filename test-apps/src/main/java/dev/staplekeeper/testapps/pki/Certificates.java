package dev.staplekeeper.testapps.pki;

import java.net.URI;
import java.security.cert.X509Certificate;
import org.bouncycastle.asn1.ASN1IA5String;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;

/** Small certificate helpers. */
public final class Certificates {
  private Certificates() {}

  /** First OCSP URL of the certificate's AIA extension, or null. */
  public static URI ocspUrl(X509Certificate cert) {
    byte[] ext = cert.getExtensionValue(Extension.authorityInfoAccess.getId());
    if (ext == null) {
      return null;
    }
    AuthorityInformationAccess aia =
        AuthorityInformationAccess.getInstance(ASN1OctetString.getInstance(ext).getOctets());
    for (AccessDescription ad : aia.getAccessDescriptions()) {
      GeneralName name = ad.getAccessLocation();
      if (ad.getAccessMethod().equals(AccessDescription.id_ad_ocsp)
          && name.getTagNo() == GeneralName.uniformResourceIdentifier) {
        return URI.create(ASN1IA5String.getInstance(name.getName()).getString());
      }
    }
    return null;
  }
}
