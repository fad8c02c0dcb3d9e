package dev.staplekeeper.agent.instrumentation;

import dev.staplekeeper.agent.bootstrap.StapleBridge;
import java.io.IOException;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.IllegalClassFormatException;
import java.lang.instrument.Instrumentation;
import java.lang.instrument.UnmodifiableClassException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The only code that touches JDK internals. Two patches ({@link BridgeCalls}), both in {@code
 * java.base} and both calling nothing but {@link StapleBridge}:
 *
 * <ul>
 *   <li>{@code sun.security.ssl.StatusResponseManager.get(CertStatusRequestType, CertStatusRequest,
 *       X509Certificate[], long, TimeUnit)}: same signature from JDK 9 to 25; the one place every
 *       server-side status_request, status_request_v2 and TLS 1.3 handshake asks for OCSP
 *       responses. When the bridge answers, the JDK's fetch and cache are skipped.
 *   <li>{@code javax.net.ssl.SSLContext.init(KeyManager[], TrustManager[], SecureRandom)}: public
 *       API, so the agent learns a server's certificates before its first handshake (prefetch).
 * </ul>
 */
public final class StaplingInstrumentation {
  public static final String STATUS_RESPONSE_MANAGER = "sun.security.ssl.StatusResponseManager";
  public static final String SSL_CONTEXT = "javax.net.ssl.SSLContext";

  private final Map<String, Throwable> errors = new ConcurrentHashMap<>();
  private final Map<String, Boolean> transformed = new ConcurrentHashMap<>();

  /** The targets in JVM form, for the {@link TransformerGate} that premain registers. */
  public static Set<String> targetInternalNames() {
    return Set.of(STATUS_RESPONSE_MANAGER.replace('.', '/'), SSL_CONTEXT.replace('.', '/'));
  }

  /**
   * Builds the transformer for both patches without registering it, runs it on the JDK's class
   * files of both targets ahead of time ({@link PreparedTransformer}), opens the {@link
   * TransformerGate} with it and retransforms the targets that loaded before the gate opened.
   */
  public void install(Instrumentation inst, TransformerGate gate) {
    BridgeCalls get = BridgeCalls.statusResponseManagerGet();
    BridgeCalls init = BridgeCalls.sslContextInit();
    ClassFileTransformer patches =
        new PatchTransformer(
            name ->
                name.equals(STATUS_RESPONSE_MANAGER) ? get : name.equals(SSL_CONTEXT) ? init : null,
            transformed,
            errors);
    PreparedTransformer transformer = new PreparedTransformer(patches);
    for (String target : targetInternalNames()) {
      try {
        transformer.prepare(target);
      } catch (IOException | IllegalClassFormatException | RuntimeException e) {
        errors.putIfAbsent(target.replace('/', '.'), e);
      }
    }
    gate.open(transformer);
    retransformLoadedTargets(inst);
  }

  /**
   * Loads (without initialising) the two target classes so they are patched now and the start log
   * line can say so. Returns the names of the classes that were patched.
   */
  public List<String> forceLoadTargets() {
    List<String> patched = new ArrayList<>();
    for (String name : new String[] {STATUS_RESPONSE_MANAGER, SSL_CONTEXT}) {
      try {
        Class.forName(name, false, null);
      } catch (ClassNotFoundException | LinkageError e) {
        errors.putIfAbsent(name, e);
      }
      if (transformed.containsKey(name)) {
        patched.add(name);
      }
    }
    return patched;
  }

  /** Errors by class name, empty when every target was patched. */
  public Map<String, Throwable> errors() {
    return Collections.unmodifiableMap(errors);
  }

  /** Restores the JDK's classes as they were: the gate lets targets pass unchanged from now on. */
  public void uninstall(Instrumentation inst, TransformerGate gate) {
    gate.fail();
    inst.removeTransformer(gate);
    retransformLoadedTargets(inst);
  }

  private void retransformLoadedTargets(Instrumentation inst) {
    List<Class<?>> loaded = new ArrayList<>();
    for (Class<?> c : inst.getAllLoadedClasses()) {
      if (c.getClassLoader() == null
          && (c.getName().equals(STATUS_RESPONSE_MANAGER) || c.getName().equals(SSL_CONTEXT))) {
        loaded.add(c);
      }
    }
    if (loaded.isEmpty()) {
      return;
    }
    try {
      inst.retransformClasses(loaded.toArray(new Class<?>[0]));
    } catch (UnmodifiableClassException | RuntimeException | LinkageError e) {
      for (Class<?> c : loaded) {
        errors.putIfAbsent(c.getName(), e);
      }
    }
  }
}
