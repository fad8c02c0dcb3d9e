package dev.staplekeeper.agent.instrumentation;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.Map;
import java.util.function.Function;

/**
 * Applies {@link BridgeCalls} to the classes they are for.
 *
 * <p>Contract: {@code patches} maps a binary class name to its patch (null: not a target); only
 * classes of the boot loader (the JDK's) are targets. Nothing but the class file handed in is read.
 * A patched class is recorded in {@code transformed}; a class whose patch matched no method, or
 * failed, is left unchanged, and a failure is recorded in {@code errors}.
 */
final class PatchTransformer implements ClassFileTransformer {
  private final Function<String, BridgeCalls> patches;
  private final Map<String, Boolean> transformed;
  private final Map<String, Throwable> errors;

  PatchTransformer(
      Function<String, BridgeCalls> patches,
      Map<String, Boolean> transformed,
      Map<String, Throwable> errors) {
    this.patches = patches;
    this.transformed = transformed;
    this.errors = errors;
  }

  @Override
  public byte[] transform(
      Module module,
      ClassLoader loader,
      String internalName,
      Class<?> classBeingRedefined,
      ProtectionDomain protectionDomain,
      byte[] classfileBuffer) {
    if (internalName == null || loader != null) {
      return null;
    }
    String name = internalName.replace('/', '.');
    BridgeCalls patch = patches.apply(name);
    if (patch == null) {
      return null;
    }
    try {
      byte[] result = patch.apply(classfileBuffer);
      if (result != null) {
        transformed.put(name, Boolean.TRUE);
      }
      return result;
    } catch (RuntimeException | LinkageError e) {
      errors.put(name, e);
      return null;
    }
  }
}
