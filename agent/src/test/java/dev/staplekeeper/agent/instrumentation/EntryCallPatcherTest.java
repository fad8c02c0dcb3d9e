package dev.staplekeeper.agent.instrumentation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.staplekeeper.agent.bootstrap.StapleBridge;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.spi.ToolProvider;
import javax.net.ssl.KeyManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The class-file patcher, against the JVM's own verifier: the JDK classes StapleKeeper patches, as
 * this JDK ships them, and {@link PatchFixture}'s methods (shaped like them, with the code that
 * moving a method must keep valid) are patched and defined in a class loader whose classes the JVM
 * verifies (the JDK's own classes are loaded unverified, so a wrong stack map there would not be
 * caught); the fixture's patched methods then run against the real {@link StapleBridge}.
 */
class EntryCallPatcherTest {
  private static final String BRIDGE = StapleBridge.class.getName().replace('.', '/');
  private static final String FIXTURE = PatchFixture.class.getName();
  private static final String CHAIN = "[Ljava/security/cert/X509Certificate;";
  private static final String GET =
      "(Ljava/lang/Object;Ljava/lang/Object;"
          + CHAIN
          + "JLjava/util/concurrent/TimeUnit;)"
          + "Ljava/util/Map;";
  private static final String RESPONSES = "(Ljava/lang/Object;" + CHAIN + ")Ljava/util/Map;";

  private final List<String> bridged = new CopyOnWriteArrayList<>();

  @TempDir Path dir;

  @AfterEach
  void disconnect() {
    StapleBridge.install(null, null);
  }

  @Test
  void theJdkClassesPatchedAtLaunchAndOnAttachPassTheVerifier() throws Exception {
    Map<String, BridgeCalls> targets =
        Map.of(
            StaplingInstrumentation.STATUS_RESPONSE_MANAGER,
            BridgeCalls.statusResponseManagerGet(),
            StaplingInstrumentation.SSL_CONTEXT,
            BridgeCalls.sslContextInit(),
            ServerStaplingInstrumentation.SSL_CONTEXT_IMPL,
            BridgeCalls.serverStaplingSwitch(StaplingInstrumentation.STATUS_RESPONSE_MANAGER));
    for (Map.Entry<String, BridgeCalls> t : targets.entrySet()) {
      byte[] original = jdkClassFile(t.getKey());
      byte[] patched = t.getValue().apply(original);
      assertThat(patched).as("%s has the method", t.getKey()).isNotNull();
      assertThat(patched.length).isGreaterThan(original.length);
      // the unpatched class passes too: a failure below is the patch's
      verified(t.getKey(), original);
      verified(t.getKey(), patched);
      assertThat(javap(t.getKey(), patched)).contains("invokestatic").contains(BRIDGE);
    }
  }

  @Test
  void theVerifierRunsInTheseTests() {
    // a reference argument loaded as an int: what a wrong patch looks like to the verifier
    byte[] wrong =
        EntryCallPatcher.apply(
            fixture(),
            BRIDGE,
            List.of(
                new EntryCall(
                    "isStaplingEnabled",
                    "(Z)Z",
                    "serverStaplingForced",
                    "(Z)Z",
                    EntryCall.Kind.RETURN_TRUE_IF_TRUE,
                    "A1")));
    assertThatThrownBy(() -> verified(FIXTURE, wrong)).isInstanceOf(VerifyError.class);
  }

  @Test
  void aNonNullAnswerIsReturnedAtOnceAndNullRunsTheMethodsOwnCode() throws Exception {
    Object fixture = patchedFixture(getCall());
    Method get =
        fixture
            .getClass()
            .getMethod(
                "get",
                Object.class,
                Object.class,
                X509Certificate[].class,
                long.class,
                TimeUnit.class);
    X509Certificate[] chain = new X509Certificate[0];
    Map<X509Certificate, byte[]> ours = Map.of();
    StapleBridge.install(
        (type, c) -> {
          bridged.add(type + " " + (c == chain));
          return bridged.size() == 1 ? ours : null;
        },
        null);

    assertThat(get.invoke(fixture, TimeUnit.SECONDS, "request", chain, 15L, TimeUnit.SECONDS))
        .isSameAs(ours);
    assertThat(ran(fixture)).isEmpty();
    // null: the method's own code, every branch of it (loop, switch, handler, new across a branch)
    get.invoke(fixture, TimeUnit.SECONDS, "request", chain, 12L, null);
    get.invoke(fixture, TimeUnit.SECONDS, "request", chain, 14L, TimeUnit.SECONDS);
    assertThat(bridged).containsExactly("SECONDS true", "SECONDS true", "SECONDS true");
    assertThat(ran(fixture)).containsExactly("get empty", "get empty");
    StapleBridge.install(null, null);
    get.invoke(fixture, "type", "request", new X509Certificate[1], 1L, null);
    assertThat(ran(fixture)).as("no agent: the method's own code").contains("get zero!");
  }

  @Test
  void aCallAtEntryIsFollowedByTheMethodsOwnCodeAndItsFirstFrameMovesPastTheCompactEncoding()
      throws Exception {
    byte[] original = fixture();
    assertThat(javap(FIXTURE, original))
        .as("precondition: init's only frame is a compact same_frame at 61")
        .contains("frame_type = 61 /* same */");
    // the fixture's init has SSLContext.init's descriptor: the production call itself
    byte[] patched = BridgeCalls.sslContextInit().apply(original);
    assertThat(javap(FIXTURE, patched)).contains("frame_type = 251 /* same_frame_extended */");
    Object fixture = verified(FIXTURE, patched).getConstructor().newInstance();
    KeyManager[] keyManagers = new KeyManager[0];
    List<String> ran = ran(fixture);
    StapleBridge.install(
        (t, c) -> null,
        km -> bridged.add("context " + (km == keyManagers) + ", at entry " + ran.isEmpty()));

    fixture
        .getClass()
        .getMethod(
            "init",
            KeyManager[].class,
            javax.net.ssl.TrustManager[].class,
            java.security.SecureRandom.class)
        .invoke(fixture, keyManagers, null, null);

    assertThat(bridged).containsExactly("context true, at entry true");
    assertThat(ran(fixture)).containsExactly("a", "b", "c", "d", "init");
  }

  @Test
  void theServerStaplingSwitchAnswersForServerContextsOnlyWhenSwitchedOn() throws Exception {
    // the production calls, for a "manager" type the bridge's Object is cast to
    byte[] patched =
        BridgeCalls.serverStaplingSwitch(CharSequence.class.getName()).apply(fixture());
    Object fixture = verified(FIXTURE, patched).getConstructor().newInstance();
    Method enabled = fixture.getClass().getDeclaredMethod("isStaplingEnabled", boolean.class);
    Method manager = fixture.getClass().getDeclaredMethod("getStatusResponseManager");
    enabled.setAccessible(true);
    manager.setAccessible(true);

    assertThat(enabled.invoke(fixture, false)).isEqualTo(false);
    assertThat(manager.invoke(fixture)).isNull();
    assertThat(ran(fixture)).containsExactly("isStaplingEnabled", "getStatusResponseManager");

    StapleBridge.install((t, c) -> null, null);
    StapleBridge.enableServerStapling("our manager");
    ran(fixture).clear();
    assertThat(enabled.invoke(fixture, false)).isEqualTo(true);
    assertThat(manager.invoke(fixture)).isEqualTo("our manager");
    assertThat(ran(fixture)).as("answered at entry").isEmpty();
    assertThat(enabled.invoke(fixture, true))
        .as("a client context: the JDK's answer")
        .isEqualTo(true);
    assertThat(ran(fixture)).containsExactly("isStaplingEnabled");
  }

  @Test
  void noMatchingMethodLeavesTheClassAlone() {
    assertThat(
            EntryCallPatcher.apply(
                fixture(),
                BRIDGE,
                List.of(
                    call(
                        "get",
                        "()V",
                        "contextInitialized",
                        "([Ljavax/net/ssl/KeyManager;)V",
                        EntryCall.Kind.CALL,
                        ""))))
        .isNull();
  }

  @Test
  void whatItCannotPatchWithCertaintyIsRefusedWithTheReason() {
    byte[] fixture = fixture();
    EntryCall staticMethod =
        call(
            "staticGet",
            RESPONSES,
            "responses",
            RESPONSES,
            EntryCall.Kind.RETURN_IF_NOT_NULL,
            "A0 A1");
    assertThatThrownBy(() -> EntryCallPatcher.apply(fixture, BRIDGE, List.of(staticMethod)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not an instance method");
    EntryCall typeAnnotatedCode =
        call(
            "annotated",
            "()Ljava/lang/Object;",
            "statusResponseManager",
            "()Ljava/lang/Object;",
            EntryCall.Kind.RETURN_IF_NOT_NULL,
            "");
    assertThatThrownBy(() -> EntryCallPatcher.apply(fixture, BRIDGE, List.of(typeAnnotatedCode)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("RuntimeVisibleTypeAnnotations");
    EntryCall get = getCall();
    for (int length : new int[] {0, 4, 9, 100, fixture.length / 2, fixture.length - 1}) {
      assertThatThrownBy(
              () -> EntryCallPatcher.apply(Arrays.copyOf(fixture, length), BRIDGE, List.of(get)))
          .as("cut at %d", length)
          .isInstanceOf(IllegalArgumentException.class);
    }
    byte[] badTag = fixture.clone();
    badTag[10] = 99; // the first constant's tag
    assertThatThrownBy(() -> EntryCallPatcher.apply(badTag, BRIDGE, List.of(get)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown constant tag 99");
  }

  /** The fixture's {@code get}, patched as StatusResponseManager.get is. */
  private static EntryCall getCall() {
    return call("get", GET, "responses", RESPONSES, EntryCall.Kind.RETURN_IF_NOT_NULL, "A1 A3");
  }

  private static EntryCall call(
      String method,
      String descriptor,
      String bridgeMethod,
      String bridgeDescriptor,
      EntryCall.Kind kind,
      String loads) {
    return new EntryCall(method, descriptor, bridgeMethod, bridgeDescriptor, kind, loads);
  }

  private Object patchedFixture(EntryCall... calls) throws Exception {
    byte[] patched = EntryCallPatcher.apply(fixture(), BRIDGE, List.of(calls));
    assertThat(patched).isNotNull();
    return verified(FIXTURE, patched).getConstructor().newInstance();
  }

  @SuppressWarnings("unchecked")
  private static List<String> ran(Object fixture) throws ReflectiveOperationException {
    return (List<String>) fixture.getClass().getField("ran").get(fixture);
  }

  /** Defines {@code bytes} as {@code name} in a loader of its own and links it (verifying it). */
  private static Class<?> verified(String name, byte[] bytes) {
    Class<?> c = new OneClassLoader(name, bytes).define();
    c.getDeclaredMethods(); // links the class: the verifier runs
    return c;
  }

  private static byte[] fixture() {
    try (InputStream in =
        PatchFixture.class.getResourceAsStream(PatchFixture.class.getSimpleName() + ".class")) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] jdkClassFile(String name) throws IOException {
    try (InputStream in =
        Object.class.getModule().getResourceAsStream(name.replace('.', '/') + ".class")) {
      return in.readAllBytes();
    }
  }

  /** javap -v -p of a class file, to check what the patcher wrote. */
  private String javap(String name, byte[] bytes) throws IOException {
    Path file = Files.write(dir.resolve(name + "-" + System.nanoTime() + ".class"), bytes);
    StringWriter out = new StringWriter();
    int rc =
        ToolProvider.findFirst("javap")
            .orElseThrow()
            .run(new PrintWriter(out), new PrintWriter(out), "-v", "-p", file.toString());
    assertThat(rc).as("javap: %s", out).isZero();
    return out.toString();
  }

  /** Defines one class itself and leaves every other to the test's class loader. */
  private static final class OneClassLoader extends ClassLoader {
    private final String name;
    private final byte[] bytes;

    OneClassLoader(String name, byte[] bytes) {
      super(EntryCallPatcherTest.class.getClassLoader());
      this.name = name;
      this.bytes = bytes;
    }

    Class<?> define() {
      return defineClass(name, bytes, 0, bytes.length);
    }

    @Override
    protected Class<?> loadClass(String n, boolean resolve) throws ClassNotFoundException {
      synchronized (getClassLoadingLock(n)) {
        Class<?> c = findLoadedClass(n);
        return c != null ? c : super.loadClass(n, resolve);
      }
    }
  }
}
