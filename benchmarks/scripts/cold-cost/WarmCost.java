// Thread CPU of the warm-up's steps on a cold JVM (docs/benchmarks.md 4.3); run with any argument to time a cold
// ECDSA verification first. In the agent's package, for FetchPathWarmup:
//   javac -cp agent/target/classes -d OUT WarmCost.java && java -cp agent/target/classes:OUT dev.staplekeeper.agent.WarmCost [v]
package dev.staplekeeper.agent;

import dev.staplekeeper.agent.config.AgentConfig;
import dev.staplekeeper.agent.ocsp.CertId;
import dev.staplekeeper.agent.ocsp.OcspFetcher;
import dev.staplekeeper.agent.ocsp.ResponderUris;
import dev.staplekeeper.agent.staple.StapleService;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;

public class WarmCost {
  static long c() { return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime(); }
  static byte[] res(String n) throws Exception { try (InputStream in = FetchPathWarmup.class.getResourceAsStream("warmup/" + n)) { return in.readAllBytes(); } }
  public static void main(String[] a) throws Exception {
    c();
    long t0 = c();
    StapleService service = StapleWiring.service(AgentConfig.load("")).build();
    long t1 = c();
    CertificateFactory x509 = CertificateFactory.getInstance("X.509");
    X509Certificate cert = (X509Certificate) x509.generateCertificate(new ByteArrayInputStream(res("certificate.der")));
    X509Certificate issuer = (X509Certificate) x509.generateCertificate(new ByteArrayInputStream(res("issuer.der")));
    long t2 = c();
    var uri = ResponderUris.ocspUris(cert).get(0);
    CertId id = CertId.of(cert, issuer);
    long t3 = c();
    if (a.length > 0) { cert.verify(issuer.getPublicKey()); System.out.printf("cert.verify (%s) %.0f ms CPU; ", issuer.getPublicKey().getAlgorithm(), (c()-t3)/1e6); t3 = c(); }
    OcspFetcher.rehearse(uri, id);
    long t4 = c();
    service.rehearse(cert, issuer, res("response.der"), FetchPathWarmup.MADE_AT);
    long t5 = c();
    System.out.printf("build service %.0f, certs %.0f, uri+certid %.0f, http rehearse %.0f, validate %.0f ms CPU%n",
        (t1-t0)/1e6, (t2-t1)/1e6, (t3-t2)/1e6, (t4-t3)/1e6, (t5-t4)/1e6);
  }
}
