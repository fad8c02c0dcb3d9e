package dev.staplekeeper.testapps.ocsp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.staplekeeper.testapps.ocsp.OcspResponseFactory.Signer;
import dev.staplekeeper.testapps.pki.TestPki;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OcspResponseInfoTest {
  private static final Duration SKEW = Duration.ofMinutes(5);

  @TempDir static Path dir;
  static TestPki pki;
  static OcspResponseFactory factory;
  static Instant now;

  @BeforeAll
  static void createPki() throws IOException {
    pki = TestPki.create(dir, URI.create("http://127.0.0.1:1/ocsp"), false);
    factory = new OcspResponseFactory(pki);
    now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  }

  private static OcspResponseInfo info(byte[] der) {
    return OcspResponseInfo.parse(der, pki.intermediate(), pki.server().getSerialNumber());
  }

  private static OcspResponseFactory.Spec spec() {
    return factory.forCertificate(pki.server());
  }

  @Test
  void goodFromDelegatedAndIssuerAreValid() {
    OcspResponseInfo delegated = info(spec().build());
    assertThat(delegated.signer()).isEqualTo("delegated");
    assertThat(delegated.certStatus()).isEqualTo("good");
    assertThat(delegated.certIdMatches()).isTrue();
    assertThat(delegated.valid(now, SKEW)).isTrue();
    // the factory's clock has moved on since `now` (by more than a second on a loaded machine)
    long elapsed = Duration.between(now, Instant.now()).toSeconds();
    assertThat(delegated.secondsLeft(now)).isBetween(3590L, 3601L + elapsed);

    OcspResponseInfo issuer = info(spec().signer(Signer.ISSUER).build());
    assertThat(issuer.signer()).isEqualTo("issuer");
    assertThat(issuer.valid(now, SKEW)).isTrue();
  }

  @Test
  void revokedIsValidButSaysRevoked() {
    OcspResponseInfo revoked = info(spec().revoked(now.minusSeconds(60), 1).build());
    assertThat(revoked.certStatus()).isEqualTo("revoked");
    assertThat(revoked.revocationTime()).isEqualTo(now.minusSeconds(60));
    assertThat(revoked.valid(now, SKEW)).isTrue();
  }

  @Test
  void badSignersAreNotValid() {
    assertThat(info(spec().signer(Signer.ROGUE).build()).signer()).isEqualTo("untrusted");
    assertThat(info(spec().signer(Signer.DELEGATED_NO_EKU).build()).signer())
        .isEqualTo("delegated-without-eku");
    OcspResponseInfo tampered = info(spec().tamperSignature().build());
    assertThat(tampered.signer()).isEqualTo("invalid");
    assertThat(tampered.signatureValid()).isFalse();
    assertThat(tampered.valid(now, SKEW)).isFalse();
  }

  @Test
  void badContentIsNotValid() {
    OcspResponseInfo wrongId =
        info(spec().serial(pki.server().getSerialNumber().add(BigInteger.ONE)).build());
    assertThat(wrongId.certIdMatches()).isFalse();
    assertThat(wrongId.certStatus()).isNull();
    assertThat(wrongId.valid(now, SKEW)).isFalse();

    assertThat(info(spec().unknown().build()).valid(now, SKEW)).isFalse();
    assertThat(
            info(spec()
                    .thisUpdate(now.minusSeconds(7200))
                    .nextUpdate(now.minusSeconds(3600))
                    .build())
                .valid(now, SKEW))
        .isFalse();
    assertThat(info(spec().thisUpdate(now.plusSeconds(3 * 3600)).build()).valid(now, SKEW))
        .isFalse();
    assertThat(info(spec().thisUpdate(now.plusSeconds(60)).build()).valid(now, SKEW)).isTrue();
    assertThat(info(spec().nextUpdate(null).build()).valid(now, SKEW)).isFalse();
  }

  @Test
  void errorAndGarbage() {
    OcspResponseInfo unauthorized = info(OcspResponseFactory.errorResponse(6));
    assertThat(unauthorized.responseStatus()).isEqualTo("unauthorized");
    assertThat(unauthorized.valid(now, SKEW)).isFalse();
    assertThat(info(new byte[] {0x5a, 1, 2, 3}).responseStatus()).isEqualTo("unparseable");
    byte[] good = spec().build();
    byte[] truncated = java.util.Arrays.copyOf(good, good.length - 10);
    assertThat(info(truncated).responseStatus()).isEqualTo("unparseable");
  }
}
