package dev.staplekeeper.agent;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.lang.invoke.MethodHandles;
import java.util.Map;
import java.util.Set;

/**
 * Defines the bridge class inside {@code java.base}, in the package of the JDK classes whose
 * patched code calls it, without appending anything to the bootstrap class path.
 *
 * <p>Why: appending a jar to the bootstrap search path (what {@code
 * Instrumentation.appendToBootstrapClassLoaderSearch} and Byte Buddy's bootstrap injection do)
 * makes the JVM turn class-data sharing off for every class not loaded by the boot loader ("Sharing
 * is only supported for boot loader classes because bootstrap classpath has been appended"), which
 * costs every application that starts from a CDS or AppCDS archive.
 *
 * <p>How: the agent jar carries the bridge already renamed into a {@code java.base} package (the
 * shade plugin relocates {@code dev.staplekeeper.agent.bootstrap.StapleBridge}, see the agent pom).
 * {@link Instrumentation#redefineModule} exports and opens that one package to the agent's own
 * (unnamed) module, and a private lookup on a class of the package defines the bridge from its
 * bytes in the boot loader. The patched JDK code in {@code java.base} then calls a class of its own
 * module; the agent calls the bridge's public methods through the export.
 */
final class BridgeInjector {
  /** A class of the bridge's package that every JDK 11+ has; loaded, not initialised. */
  private static final String ANCHOR = "sun.security.ssl.SunJSSE";

  private BridgeInjector() {}

  /**
   * The bridge class in the boot loader: the one already there (a second agent start), or the one
   * defined now.
   */
  static Class<?> inject(Instrumentation inst, String bridge) throws Exception {
    Class<?> anchor = Class.forName(ANCHOR, false, null);
    String pkg = anchor.getPackageName();
    if (!bridge.startsWith(pkg + ".") || bridge.indexOf('.', pkg.length() + 1) >= 0) {
      throw new IllegalStateException(
          "the bridge " + bridge + " is not in " + pkg + " (an agent jar built without shading?)");
    }
    Module agent = BridgeInjector.class.getModule();
    inst.redefineModule(
        anchor.getModule(),
        Set.of(),
        Map.of(pkg, Set.of(agent)),
        Map.of(pkg, Set.of(agent)),
        Set.of(),
        Map.of());
    try {
      return Class.forName(bridge, false, null);
    } catch (ClassNotFoundException notYet) {
      // the usual case: first start in this JVM
    }
    Class<?> defined =
        MethodHandles.privateLookupIn(anchor, MethodHandles.lookup()).defineClass(bytes(bridge));
    if (defined.getClassLoader() != null || !defined.getName().equals(bridge)) {
      throw new IllegalStateException("bridge defined as " + defined + " outside the boot loader");
    }
    return defined;
  }

  private static byte[] bytes(String bridge) throws IOException {
    String resource = bridge.replace('.', '/') + ".class";
    // getResourceAsStream finds it: a package of a module of another loader falls through to the
    // class path search (BuiltinClassLoader.findResource).
    try (InputStream in = BridgeInjector.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("agent jar has no " + resource);
      }
      return in.readAllBytes();
    }
  }
}
