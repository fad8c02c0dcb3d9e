package dev.staplekeeper.agent.ocsp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.staplekeeper.agent.ocsp.ResponseMutations.Expect;
import dev.staplekeeper.agent.ocsp.ResponseMutations.Mutation;
import dev.staplekeeper.agent.ocsp.ResponseMutations.Parsed;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertPathValidatorException.BasicReason;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXRevocationChecker;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.NamedParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Date;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.BasicOCSPRespBuilder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.bouncycastle.cert.ocsp.RespID;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.ContentVerifierProvider;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Black-box robustness of {@link ResponseValidator#validate} against tens of thousands of
 * deterministic mutations of valid responses ({@link ResponseMutations}): for every mutation it
 * either returns or throws {@link InvalidResponseException}, within {@link #CALL_LIMIT}, and
 * whatever it accepts is, by Bouncy Castle as an independent oracle, a parseable DER OCSPResponse
 * whose signature verifies with the issuer or an included issuer-issued OCSPSigning certificate,
 * over the original tbsResponseData, with the original status and times. BER re-framings of the
 * unsigned framing must be accepted (and re-encoded to the original DER).
 *
 * <p>Only the public API is used ({@code CertId.of}, {@code validate}), so the test holds for any
 * implementation of the parser. The PKIs (EC P-256, RSA-2048, Ed25519) and responses are generated
 * from fixed seeds at a fixed instant: every run mutates the same bytes, and a failure names the
 * mutation that reproduces it.
 */
class ResponseMutationTest {
  private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
  private static final Duration CALL_LIMIT = Duration.ofSeconds(2);
  private static final int FAILURES_SHOWN = 25;
  private static final ResponseValidator VALIDATOR = new ResponseValidator(Duration.ofMinutes(5));

  /** family: {mutations, accepted, slowest call in ms, (unused), must-accept}. */
  private static final Map<String, long[]> TOTALS = Collections.synchronizedMap(new TreeMap<>());

  private static List<Input> inputs;

  /** A valid response and what validating it unmutated gives. */
  record Input(
      String name,
      byte[] der,
      Parsed parsed,
      CertId id,
      CertificateID bcId,
      X509Certificate leaf,
      X509Certificate issuer,
      boolean delegated,
      ValidatedResponse expected) {}

  @BeforeAll
  static void createResponses() throws Exception {
    Pki ec = new Pki("EC", 1);
    Pki rsa = new Pki("RSA", 2);
    Pki ed = new Pki("Ed25519", 3);
    BigInteger s = ec.leaf.getSerialNumber();
    inputs =
        List.of(
            ec.input("EC delegated byKey with nonce", true, false, new byte[16], good(s)),
            ec.input("EC issuer-signed byKey", false, false, null, good(s)),
            rsa.input("RSA issuer-signed byName", false, true, null, good(s)),
            rsa.input(
                "RSA delegated byName revoked",
                true,
                true,
                null,
                new Object[] {s, new RevokedStatus(Date.from(NOW.minusSeconds(86_400)), 1)}),
            ed.input(
                "Ed25519 delegated byKey, 4 SingleResponses",
                true,
                false,
                new byte[] {1, 2, 3},
                new Object[] {s.add(BigInteger.ONE), CertificateStatus.GOOD},
                new Object[] {s.add(BigInteger.TWO), new UnknownStatus()},
                good(s),
                new Object[] {
                  s.add(BigInteger.TEN), new RevokedStatus(Date.from(NOW.minusSeconds(60)), 4)
                }));
  }

  private static Object[] good(BigInteger serial) {
    return new Object[] {serial, CertificateStatus.GOOD};
  }

  @AfterAll
  static void report() {
    long[] all = new long[5];
    StringBuilder sb =
        new StringBuilder(
            "ResponseMutationTest (mutations / accepted / slowest ms / must accept):");
    TOTALS.forEach(
        (family, t) -> {
          sb.append(String.format("%n  %-10s %7d %6d %6d %6d", family, t[0], t[1], t[2], t[4]));
          all[0] += t[0];
          all[1] += t[1];
          all[2] = Math.max(all[2], t[2]);
          all[4] += t[4];
        });
    sb.append(String.format("%n  %-10s %7d %6d %6d %6d", "all", all[0], all[1], all[2], all[4]));
    System.out.println(sb);
  }

  // --- the test can fail ---

  @Test
  void theUnmutatedResponsesAreAcceptedAndStapledByteForByte() throws Exception {
    for (Input in : inputs) {
      assertThat(in.expected.der()).as(in.name).isEqualTo(in.der);
      checkStaple(in, in.expected); // (g) included: the JDK client takes each of them
    }
    assertThat(inputs.get(4).expected.status()).isEqualTo(ValidatedResponse.Status.GOOD);
    assertThat(inputs.get(3).expected.status()).isEqualTo(ValidatedResponse.Status.REVOKED);
  }

  @Test
  void theOracleFailsOnStaplesThatAreNotTheSignedResponse() {
    Input in = inputs.get(0);
    Input other = inputs.get(1);
    assertThatThrownBy(() -> checkStaple(in, withDer(in.expected, other.der)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("(d)");
    byte[] longForm =
        ResponseMutations.concat(
            new byte[] {0x30},
            ResponseMutations.longForm(in.parsed.root.contentLength(), 4),
            in.parsed.root.content(in.der));
    assertThatThrownBy(() -> checkStaple(in, withDer(in.expected, longForm)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("(b)");
    byte[] badSignature = in.der.clone();
    badSignature[in.parsed.basic.kid(2).end - 3] ^= 1;
    assertThatThrownBy(() -> checkStaple(in, withDer(in.expected, badSignature)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("(c)");
    Input rsa = inputs.get(2);
    byte[] tamperedAlgorithm = rsa.der.clone();
    tamperedAlgorithm[rsa.parsed.basic.kid(1).kid(1).start] = 0x04; // NULL -> OCTET STRING
    assertThatThrownBy(() -> checkStaple(rsa, withDer(rsa.expected, tamperedAlgorithm)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("(g)");
    byte[] withoutNull = rsa.parsed.fixed(rsa.parsed.basic.kid(1).kid(1), new byte[0]);
    assertThatThrownBy(() -> checkStaple(rsa, withDer(rsa.expected, withoutNull)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("(f)");
    assertThatThrownBy(() -> checkStaple(in, withDer(in.expected, Arrays.copyOf(in.der, 40))))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("(a)");
    ValidatedResponse revoked =
        new ValidatedResponse(
            in.der,
            in.id,
            ValidatedResponse.Status.REVOKED,
            in.expected.thisUpdate(),
            in.expected.nextUpdate(),
            in.expected.producedAt(),
            NOW);
    assertThatThrownBy(() -> checkStaple(in, revoked))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("(e)");
  }

  private static ValidatedResponse withDer(ValidatedResponse r, byte[] der) {
    return new ValidatedResponse(
        der,
        r.certId(),
        r.status(),
        r.thisUpdate(),
        r.nextUpdate(),
        r.producedAt(),
        r.revocationTime());
  }

  // --- the mutations ---

  @Test
  void everyTruncation() {
    runFamily("truncate", in -> ResponseMutations.truncations(in.der));
  }

  @Test
  void everyByteFlippedThreeWays() {
    runFamily("flip", in -> ResponseMutations.flips(in.parsed));
  }

  @Test
  void aByteInsertedOrRemovedAtEveryOffset() {
    runFamily(
        "insert/rm", in -> ResponseMutations.insertionsAndRemovals(in.der, in.name.hashCode()));
  }

  @Test
  void randomOverwrites() {
    runFamily("overwrite", in -> ResponseMutations.overwrites(in.der, in.name.hashCode(), 80));
  }

  @Test
  void everyLengthRewrittenIncludingBerReFramingsThatMustBeAccepted() {
    long[] accepted = runFamily("length", in -> ResponseMutations.lengthRewrites(in.parsed));
    assertThat(accepted[1]).as("accepted BER re-framings").isPositive();
  }

  @Test
  void tlvsDuplicatedRemovedRetaggedAndTheOctetStringChunked() {
    runFamily("tlv", in -> ResponseMutations.tlvEdits(in.parsed));
  }

  @Test
  void deepNestingHugeLengthsAndWideSequences() {
    runFamily("hostile", in -> ResponseMutations.hostile(in.parsed));
  }

  @Test
  void randomBytesBehindASequenceTag() {
    runFamily("random", in -> ResponseMutations.randomSequences(in.name.hashCode(), 300));
  }

  @Test
  /**
   * Found by this test in the Bouncy Castle validator and fixed by the agent's own reader: unsigned
   * AlgorithmIdentifier parameters and certificate signature BIT STRING bits that the verifiers
   * ignore were stapled as received, so one byte flipped on the wire (the NULL of
   * sha256WithRSAEncryption made an empty OCTET STRING) replaced the last good response with a
   * staple the JDK's own PKIX revocation checker rejects.
   */
  void tamperedUnsignedAlgorithmFieldsAreRejectedOrStapledCanonically() {
    List<String> problems = new ArrayList<>();
    for (Input in : inputs) {
      Parsed p = in.parsed;
      ResponseMutations.Tlv algorithm = p.basic.kid(1);
      List<Mutation> cases = new ArrayList<>();
      if (algorithm.kids.size() > 1) {
        ResponseMutations.Tlv params = algorithm.kid(1);
        byte[] m = in.der.clone();
        m[params.start] = 0x04; // NULL -> empty OCTET STRING
        cases.add(new Mutation("finding", "NULL parameters -> OCTET STRING", m, Expect.ANY, -1));
        cases.add(
            new Mutation(
                "finding",
                "NULL parameters removed",
                p.fixed(params, new byte[0]),
                Expect.ANY,
                -1));
      } else {
        byte[] oid = algorithm.kid(0).bytes(in.der);
        cases.add(
            new Mutation(
                "finding",
                "the algorithm OID repeated as parameters",
                p.fixed(algorithm.kid(0), ResponseMutations.concat(oid, oid)),
                Expect.ANY,
                -1));
      }
      if (in.delegated) {
        ResponseMutations.Tlv cert = p.basic.kid(3).kid(0).kid(0);
        byte[] m = in.der.clone();
        m[cert.kid(2).contentStart] = 1;
        cases.add(
            new Mutation(
                "finding", "signer certificate signature: 1 unused bit", m, Expect.ANY, -1));
        ResponseMutations.Tlv certAlgorithm = cert.kid(1);
        if (certAlgorithm.kids.size() > 1) {
          cases.add(
              new Mutation(
                  "finding",
                  "signer certificate signatureAlgorithm: NULL parameters removed",
                  p.fixed(certAlgorithm.kid(1), new byte[0]),
                  Expect.ANY,
                  -1));
        }
      }
      for (Mutation m : cases) {
        String problem = validateOne(in, m, new long[4]);
        if (problem != null) {
          problems.add(in.name + ", " + m.what() + ": " + problem);
        }
      }
    }
    assertThat(problems).isEmpty();
  }

  /**
   * Runs the family's mutations of every input; returns {mutations, accepted, slowest ms, (unused),
   * must-accept}.
   */
  private static long[] runFamily(String family, Function<Input, List<Mutation>> mutations) {
    List<String> failures = Collections.synchronizedList(new ArrayList<>());
    AtomicLong failureCount = new AtomicLong();
    long[] totals = new long[5];
    for (Input in : inputs) {
      List<Mutation> list = new ArrayList<>(mutations.apply(in));
      list.removeIf(m -> Arrays.equals(m.bytes(), in.der)); // e.g. length-1 of an empty TLV
      long[] t = run(in, list, failures, failureCount);
      totals[0] += t[0];
      totals[1] += t[1];
      totals[2] = Math.max(totals[2], t[2]);
      totals[4] += t[4];
    }
    TOTALS.put(family, totals);
    assertThat(failures)
        .as(
            "%d of %d %s mutations broke the contract (first %d shown)",
            failureCount.get(), totals[0], family, FAILURES_SHOWN)
        .isEmpty();
    return totals;
  }

  /**
   * Validates each mutation in a worker thread (default stack size, like the agent's threads) while
   * this thread watches the clock: a call running past {@link #CALL_LIMIT} fails the test at once,
   * naming the mutation, even if it never returns.
   */
  private static long[] run(
      Input in, List<Mutation> mutations, List<String> failures, AtomicLong failureCount) {
    AtomicReference<Mutation> current = new AtomicReference<>();
    AtomicLong since = new AtomicLong();
    long[] counts = new long[5];
    Runnable body =
        () -> {
          for (Mutation m : mutations) {
            since.set(System.nanoTime());
            current.set(m);
            String problem = validateOne(in, m, counts);
            current.set(null);
            if (problem != null && failureCount.incrementAndGet() <= FAILURES_SHOWN) {
              failures.add(in.name + ", " + m.family() + " " + m.what() + ": " + problem);
            }
          }
        };
    Thread worker = new Thread(body, "mutation-worker");
    worker.setDaemon(true);
    worker.start();
    try {
      while (worker.isAlive()) {
        worker.join(50);
        Mutation m = current.get();
        long running = System.nanoTime() - since.get();
        if (m != null && running > CALL_LIMIT.toNanos()) {
          worker.interrupt();
          throw new AssertionError(
              in.name
                  + ", "
                  + m.family()
                  + " "
                  + m.what()
                  + ": validate has been running for "
                  + running / 1_000_000
                  + " ms, over "
                  + CALL_LIMIT);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
    return counts;
  }

  /** Null when the validator kept its contract on {@code m}; else what went wrong. */
  private static String validateOne(Input in, Mutation m, long[] counts) {
    counts[0]++;
    if (m.expect() == Expect.ACCEPT) {
      counts[4]++;
    }
    long start = System.nanoTime();
    ValidatedResponse got;
    String rejection = null;
    try {
      got = VALIDATOR.validate(m.bytes(), in.id, in.issuer, NOW);
    } catch (InvalidResponseException e) {
      got = null;
      rejection = e.getMessage();
    } catch (Throwable t) { // StackOverflowError and OutOfMemoryError included
      return "threw " + t + " instead of InvalidResponseException";
    }
    long millis = (System.nanoTime() - start) / 1_000_000;
    counts[2] = Math.max(counts[2], millis);
    if (millis > CALL_LIMIT.toMillis()) {
      return "validate took " + millis + " ms, over " + CALL_LIMIT;
    }
    if (got == null) {
      return m.expect() == Expect.ACCEPT
          ? "rejected a BER re-framing of the unsigned framing (" + rejection + ")"
          : null;
    }
    counts[1]++;
    try {
      checkStaple(in, got);
      return null;
    } catch (Throwable t) {
      return "accepted, but " + t.getMessage();
    }
  }

  // --- the oracle ---

  /**
   * Bouncy Castle's verdict on an accepted response: (a) it parses, (b) it is DER, (c) its
   * signature verifies with the issuer key or the one included issuer-issued OCSPSigning
   * certificate, (d) its tbsResponseData is the original's, (e) status and times are the
   * original's, (f) it is the very staple of the unmutated response.
   */
  static void checkStaple(Input in, ValidatedResponse got) throws Exception {
    byte[] der = got.der();
    if (got != in.expected && Arrays.equals(der, in.expected.der())) {
      // the very bytes checked in full unmutated (the first test): only (e) is left to check
      checkFields(in, got);
      return;
    }
    require(der.length <= ResponseValidator.DEFAULT_MAX_STAPLE_BYTES, "over maxStapleBytes");
    OCSPResp resp;
    Object object;
    try {
      resp = new OCSPResp(der);
      object = resp.getResponseObject();
    } catch (Exception e) {
      throw new AssertionError("(a) Bouncy Castle cannot parse the staple: " + e, e);
    }
    require(resp.getStatus() == OCSPResp.SUCCESSFUL, "(a) responseStatus " + resp.getStatus());
    require(object instanceof BasicOCSPResp, "(a) not a BasicOCSPResponse: " + object);
    BasicOCSPResp basic = (BasicOCSPResp) object;

    requireDer("OCSPResponse", der);
    requireDer(
        "BasicOCSPResponse", resp.toASN1Structure().getResponseBytes().getResponse().getOctets());

    Parsed staple;
    try {
      staple = new Parsed(der);
    } catch (RuntimeException e) {
      throw new AssertionError("(b) not definite-length DER: " + e, e);
    }
    require(
        Arrays.equals(staple.tbsBytes(), in.parsed.tbsBytes()),
        "(d) tbsResponseData differs from the signed original");

    JcaContentVerifierProviderBuilder verifiers = new JcaContentVerifierProviderBuilder();
    PublicKey issuerKey = in.issuer.getPublicKey();
    X509CertificateHolder[] certs = basic.getCerts();
    ContentVerifierProvider signer;
    if (certs.length == 0) {
      require(!in.delegated, "(c) the delegated signer's certificate is missing");
      signer = verifiers.build(issuerKey);
    } else {
      require(certs.length == 1, "(c) " + certs.length + " certificates stapled");
      X509CertificateHolder cert = certs[0];
      require(
          cert.getIssuer().equals(new JcaX509CertificateHolder(in.issuer).getSubject()),
          "(c) the signer certificate's issuer is " + cert.getIssuer());
      require(cert.isSignatureValid(verifiers.build(issuerKey)), "(c) signer not issued by issuer");
      ExtendedKeyUsage eku = ExtendedKeyUsage.fromExtensions(cert.getExtensions());
      require(
          eku != null && eku.hasKeyPurposeId(KeyPurposeId.id_kp_OCSPSigning),
          "(c) the signer certificate lacks id-kp-OCSPSigning");
      require(cert.isValidOn(Date.from(NOW)), "(c) the signer certificate is not valid now");
      CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(cert.getEncoded()));
      signer = verifiers.build(cert);
    }
    require(basic.isSignatureValid(signer), "(c) the response signature does not verify");

    ValidatedResponse want = in.expected;
    checkFields(in, got);
    List<SingleResp> mine = new ArrayList<>();
    for (SingleResp single : basic.getResponses()) {
      if (single.getCertID().equals(in.bcId)) {
        mine.add(single);
      }
    }
    require(mine.size() == 1, "(e) " + mine.size() + " SingleResponses for the CertID");
    SingleResp single = mine.get(0);
    require(
        single.getThisUpdate().toInstant().equals(want.thisUpdate())
            && single.getNextUpdate().toInstant().equals(want.nextUpdate()),
        "(e) the stapled SingleResponse's times differ");
    boolean revoked = single.getCertStatus() instanceof RevokedStatus;
    require(
        revoked == (want.status() == ValidatedResponse.Status.REVOKED)
            && (revoked || single.getCertStatus() == CertificateStatus.GOOD),
        "(e) the stapled certStatus differs");

    requireJdkClientAgrees(in, der);

    require(
        Arrays.equals(der, want.der()),
        "(f) the staple differs from the unmutated response's staple: "
            + ResponseMutations.hex(der));
  }

  /**
   * (g) A JDK TLS client's verdict: the JDK's PKIX revocation checker, given the staple as the
   * leaf's OCSP response (as JSSE passes stapled responses), finds the leaf good, or revoked when
   * the response says so.
   */
  private static void requireJdkClientAgrees(Input in, byte[] staple) throws Exception {
    CertPathValidator validator = CertPathValidator.getInstance("PKIX");
    PKIXRevocationChecker checker = (PKIXRevocationChecker) validator.getRevocationChecker();
    checker.setOcspResponses(Map.of(in.leaf, staple));
    checker.setOptions(
        EnumSet.of(
            PKIXRevocationChecker.Option.ONLY_END_ENTITY,
            PKIXRevocationChecker.Option.NO_FALLBACK));
    PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(in.issuer, null)));
    params.setDate(Date.from(NOW));
    params.setRevocationEnabled(false);
    params.addCertPathChecker(checker);
    boolean revoked = in.expected.status() == ValidatedResponse.Status.REVOKED;
    try {
      validator.validate(
          CertificateFactory.getInstance("X.509").generateCertPath(List.of(in.leaf)), params);
      require(!revoked, "(g) the JDK's PKIX revocation checker finds the revoked leaf good");
    } catch (CertPathValidatorException e) {
      require(
          revoked && e.getReason() == BasicReason.REVOKED,
          "(g) the JDK's PKIX revocation checker (a JDK TLS client) rejects the staple: " + e);
    } catch (RuntimeException e) {
      throw new AssertionError(
          "(g) the JDK's PKIX revocation checker (a JDK TLS client) fails on the staple: " + e, e);
    }
  }

  /** (e) on the returned fields: status and times as validated unmutated. */
  private static void checkFields(Input in, ValidatedResponse got) {
    ValidatedResponse want = in.expected;
    require(got.certId().equals(in.id), "(e) certId " + got.certId());
    require(got.status() == want.status(), "(e) status " + got.status());
    require(got.thisUpdate().equals(want.thisUpdate()), "(e) thisUpdate " + got.thisUpdate());
    require(got.nextUpdate().equals(want.nextUpdate()), "(e) nextUpdate " + got.nextUpdate());
    require(
        Objects.equals(got.producedAt(), want.producedAt()), "(e) producedAt " + got.producedAt());
    require(
        Objects.equals(got.revocationTime(), want.revocationTime()),
        "(e) revocationTime " + got.revocationTime());
  }

  private static void requireDer(String what, byte[] bytes) {
    byte[] der;
    try {
      der = ASN1Primitive.fromByteArray(bytes).getEncoded(ASN1Encoding.DER);
    } catch (Exception e) {
      throw new AssertionError("(b) the " + what + " does not parse: " + e, e);
    }
    require(Arrays.equals(der, bytes), "(b) the " + what + " is not DER");
  }

  private static void require(boolean ok, String what) {
    if (!ok) {
      throw new AssertionError(what);
    }
  }

  // --- deterministic PKIs and responses ---

  /** A CA, a leaf and a delegated OCSP signer of one key type, all from one seed. */
  private static final class Pki {
    final String signatureAlgorithm;
    final SecureRandom random;
    final KeyPair caKeys;
    final X509Certificate ca;
    final KeyPair signerKeys;
    final X509Certificate signer;
    final X509Certificate leaf;

    Pki(String keyType, long seed) throws Exception {
      random = SecureRandom.getInstance("SHA1PRNG");
      random.setSeed(seed);
      signatureAlgorithm =
          switch (keyType) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            default -> keyType;
          };
      caKeys = keys(keyType);
      X500Name caName = new X500Name("CN=Mutation " + keyType + " CA,O=StapleKeeper Test");
      ca = cert(caName, caName, 1, caKeys.getPublic(), true);
      signerKeys = keys(keyType);
      signer =
          cert(
              caName,
              new X500Name("CN=Mutation " + keyType + " OCSP Signer,O=StapleKeeper Test"),
              2,
              signerKeys.getPublic(),
              false);
      // the leaf's key plays no part in OCSP
      leaf = cert(caName, new X500Name("CN=leaf"), 0x5eed_cafeL, caKeys.getPublic(), false);
    }

    private KeyPair keys(String type) throws Exception {
      KeyPairGenerator g = KeyPairGenerator.getInstance(type);
      switch (type) {
        case "EC" -> g.initialize(new ECGenParameterSpec("secp256r1"), random);
        case "RSA" -> g.initialize(2048, random);
        default -> g.initialize(NamedParameterSpec.ED25519, random);
      }
      return g.generateKeyPair();
    }

    private ContentSigner contentSigner(KeyPair keys) throws Exception {
      return new JcaContentSignerBuilder(signatureAlgorithm)
          .setSecureRandom(random)
          .build(keys.getPrivate());
    }

    private X509Certificate cert(
        X500Name issuer, X500Name subject, long serial, PublicKey key, boolean isCa)
        throws Exception {
      JcaX509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              issuer,
              BigInteger.valueOf(serial),
              Date.from(NOW.minus(Duration.ofDays(1))),
              Date.from(NOW.plus(Duration.ofDays(30))),
              subject,
              key);
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
      if (isCa) {
        b.addExtension(
            Extension.keyUsage,
            true,
            new KeyUsage(KeyUsage.keyCertSign | KeyUsage.digitalSignature));
      } else if (serial == 2) {
        b.addExtension(
            Extension.extendedKeyUsage,
            false,
            new ExtendedKeyUsage(KeyPurposeId.id_kp_OCSPSigning));
      }
      return new JcaX509CertificateConverter().getCertificate(b.build(contentSigner(caKeys)));
    }

    /** A response of {serial, CertificateStatus} pairs, validated once unmutated. */
    Input input(String name, boolean delegated, boolean byName, byte[] nonce, Object[]... singles)
        throws Exception {
      X509Certificate responder = delegated ? signer : ca;
      RespID respId =
          byName
              ? new RespID(X500Name.getInstance(responder.getSubjectX500Principal().getEncoded()))
              : new RespID(
                  SubjectPublicKeyInfo.getInstance(responder.getPublicKey().getEncoded()),
                  new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1));
      BasicOCSPRespBuilder b = new BasicOCSPRespBuilder(respId);
      for (Object[] single : singles) {
        b.addResponse(
            certificateId((BigInteger) single[0]),
            (CertificateStatus) single[1],
            Date.from(NOW.minus(Duration.ofMinutes(10))),
            Date.from(NOW.plus(Duration.ofMinutes(50))),
            null);
      }
      if (nonce != null) {
        b.setResponseExtensions(
            new Extensions(
                new Extension(
                    OCSPObjectIdentifiers.id_pkix_ocsp_nonce,
                    false,
                    new DEROctetString(nonce).getEncoded())));
      }
      BasicOCSPResp basic =
          b.build(
              contentSigner(delegated ? signerKeys : caKeys),
              delegated ? new X509CertificateHolder[] {new JcaX509CertificateHolder(signer)} : null,
              Date.from(NOW.minus(Duration.ofMinutes(10))));
      byte[] der = new OCSPRespBuilder().build(OCSPRespBuilder.SUCCESSFUL, basic).getEncoded();
      CertId id = CertId.of(leaf, ca);
      return new Input(
          name,
          der,
          new Parsed(der),
          id,
          certificateId(leaf.getSerialNumber()),
          leaf,
          ca,
          delegated,
          VALIDATOR.validate(der, id, ca, NOW));
    }

    private CertificateID certificateId(BigInteger serial) throws Exception {
      return new CertificateID(
          new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1),
          new JcaX509CertificateHolder(ca),
          serial);
    }
  }
}
