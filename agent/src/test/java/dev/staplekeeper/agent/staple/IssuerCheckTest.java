package dev.staplekeeper.agent.staple;

import static org.assertj.core.api.Assertions.assertThat;

import dev.staplekeeper.testapps.pki.TestPki;
import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The issuer check of a server's chain: the key identifiers the CA wrote recognise the issuer
 * without a signature check; where they differ, the signature decides.
 */
class IssuerCheckTest {
  private static final URI OCSP = URI.create("http://127.0.0.1:9/ocsp");

  @TempDir Path dir;

  @Test
  void theIssuerIsRecognisedByItsKeyIdentifier() throws Exception {
    TestPki pki = TestPki.create(dir.resolve("a"), OCSP, false);
    assertThat(pki.server().getExtensionValue("2.5.29.35")).as("precondition: an AKI").isNotNull();
    assertThat(pki.intermediate().getExtensionValue("2.5.29.14")).as("and an SKI").isNotNull();

    assertThat(IssuerCheck.keyIdentifiersMatch(pki.server(), pki.intermediate())).isTrue();
    assertThat(IssuerCheck.problem(pki.server(), pki.intermediate())).isNull();
    assertThat(IssuerCheck.problem(pki.intermediate(), pki.root())).isNull();
  }

  @Test
  void anotherKeyUnderTheIssuersNameIsFoundByTheSignature() throws Exception {
    TestPki pki = TestPki.create(dir.resolve("a"), OCSP, false);
    TestPki sameNames = TestPki.create(dir.resolve("b"), OCSP, false);

    assertThat(IssuerCheck.keyIdentifiersMatch(pki.server(), sameNames.intermediate())).isFalse();
    assertThat(IssuerCheck.problem(pki.server(), sameNames.intermediate()))
        .contains("has its issuer's name but another key");
  }

  @Test
  void anotherCaIsNotTheIssuer() throws Exception {
    TestPki pki = TestPki.create(dir.resolve("a"), OCSP, false);

    assertThat(IssuerCheck.problem(pki.server(), pki.root())).isEqualTo("is not its issuer");
  }
}
