package dev.staplekeeper.agent.instrumentation;

import dev.staplekeeper.agent.bootstrap.StapleBridge;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.IllegalClassFormatException;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Notices TLS server stacks that are not JSSE, so never reach the JDK's {@code
 * StatusResponseManager} that StapleKeeper replaces, and tells {@link StapleBridge} about each
 * context they create. Matches by class name only, so the agent depends on none of them:
 *
 * <ul>
 *   <li>Netty's OpenSSL provider (netty-tcnative): constructors of {@code OpenSslServerContext} and
 *       {@code ReferenceCountedOpenSslServerContext} in {@code io.netty.handler.ssl}, also under a
 *       relocated prefix (gRPC's shaded Netty);
 *   <li>Tomcat's OpenSSL implementation, tomcat-native and FFM: constructors of {@code
 *       org.apache.tomcat.util.net.openssl.OpenSSLContext} and {@code ...openssl.panama
 *       .OpenSSLContext};
 *   <li>Conscrypt as the provider of {@code SSLContext}: {@code
 *       org.conscrypt.OpenSSLContextImpl.engineInit} with key managers (a context with a key to
 *       present, so a server's).
 * </ul>
 *
 * <p>Lazy: it registers one plain transformer that compares the name of each class being loaded
 * with five suffixes; the patch ({@link BridgeCalls}) is built only when one of them loads, and the
 * bridge's package is exported to the module of the class it patched. Classes loaded before the
 * agent (a late attach) are not patched. The patch calls nothing but {@link StapleBridge}; a
 * constructor that delegates to another of its class reports the same context twice, which the
 * listener behind the bridge ignores.
 */
public final class NonJsseDetection implements ClassFileTransformer {
  private static final List<String> NETTY_SERVER_CONTEXTS =
      List.of(
          "io/netty/handler/ssl/OpenSslServerContext",
          "io/netty/handler/ssl/ReferenceCountedOpenSslServerContext");
  private static final List<String> TOMCAT_CONTEXTS =
      List.of(
          "org/apache/tomcat/util/net/openssl/OpenSSLContext",
          "org/apache/tomcat/util/net/openssl/panama/OpenSSLContext");
  private static final String CONSCRYPT_CONTEXT = "org/conscrypt/OpenSSLContextImpl";

  private final Instrumentation inst;
  private final TransformerGate gate;
  private volatile ClassFileTransformer patcher;

  private NonJsseDetection(Instrumentation inst, TransformerGate gate) {
    this.inst = inst;
    this.gate = gate;
  }

  /**
   * Registers the detection for classes loaded from now on. A detected class that loads before the
   * agent is ready waits for it at {@code gate} (the bridge its patch calls is defined by then),
   * and is left unpatched if the agent does not become ready.
   */
  public static void install(Instrumentation inst, TransformerGate gate) {
    inst.addTransformer(new NonJsseDetection(inst, gate), false);
  }

  /** Whether {@code internalName} (slashes) is one of the detected classes. */
  static boolean detects(String internalName) {
    if (internalName == null) {
      return false;
    }
    for (String netty : NETTY_SERVER_CONTEXTS) {
      if (internalName.endsWith(netty)) {
        return true;
      }
    }
    return TOMCAT_CONTEXTS.contains(internalName) || CONSCRYPT_CONTEXT.equals(internalName);
  }

  @Override
  public byte[] transform(
      Module module,
      ClassLoader loader,
      String className,
      Class<?> classBeingRedefined,
      ProtectionDomain protectionDomain,
      byte[] classfileBuffer)
      throws IllegalClassFormatException {
    if (classBeingRedefined != null || !detects(className) || !gate.awaitOpen()) {
      return null;
    }
    byte[] patched =
        patcher()
            .transform(
                module, loader, className, classBeingRedefined, protectionDomain, classfileBuffer);
    if (patched != null) {
      try {
        exportBridgeTo(module);
      } catch (RuntimeException e) {
        return null; // the patch could not reach the bridge: leave the class as it is
      }
    }
    return patched;
  }

  private ClassFileTransformer patcher() {
    ClassFileTransformer p = patcher;
    if (p == null) {
      synchronized (this) {
        p = patcher;
        if (p == null) {
          p = newPatcher();
          patcher = p;
        }
      }
    }
    return p;
  }

  private ClassFileTransformer newPatcher() {
    String conscrypt = CONSCRYPT_CONTEXT.replace('/', '.');
    return new PatchTransformer(
        name ->
            name.equals(conscrypt)
                ? BridgeCalls.nonJsseKeyedInit(name)
                : BridgeCalls.nonJsseConstructed(name),
        false,
        new ConcurrentHashMap<>(),
        new ConcurrentHashMap<>());
  }

  /**
   * The patch calls the bridge, which lives in {@code java.base}'s package {@code
   * sun.security.ssl}: export that package (its public bridge class; the JDK's own classes there
   * are package-private) to the module of the patched class, which reads {@code java.base} anyway.
   */
  private void exportBridgeTo(Module module) {
    Module bridge = StapleBridge.class.getModule();
    String pkg = StapleBridge.class.getPackageName();
    if (module != null && bridge.isNamed() && !bridge.isExported(pkg, module)) {
      inst.redefineModule(
          bridge, Set.of(), Map.of(pkg, Set.of(module)), Map.of(), Set.of(), Map.of());
    }
  }
}
