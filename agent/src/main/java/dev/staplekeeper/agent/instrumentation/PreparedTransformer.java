package dev.staplekeeper.agent.instrumentation;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.IllegalClassFormatException;
import java.security.ProtectionDomain;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs the patching transformer on the JDK's own class files of the targets ahead of time, on the
 * agent's start thread, so that the application thread that loads a target gets the result at the
 * cost of an array comparison instead of a cold patching run.
 *
 * <p>Contract: a target whose bytes are exactly the JDK's ({@code java.base}'s class file, which is
 * what the JVM hands to a transformer at first load and at retransformation) gets the prepared
 * result; anything else (another agent changed the class first) goes to the transformer itself.
 */
final class PreparedTransformer implements ClassFileTransformer {
  private final ClassFileTransformer transformer;
  private final Map<String, byte[][]> prepared = new ConcurrentHashMap<>();

  PreparedTransformer(ClassFileTransformer transformer) {
    this.transformer = transformer;
  }

  /** Transforms java.base's class file of {@code internalName} now; false if it is not there. */
  boolean prepare(String internalName) throws IOException, IllegalClassFormatException {
    Module javaBase = Object.class.getModule();
    byte[] original;
    try (InputStream in = javaBase.getResourceAsStream(internalName + ".class")) {
      if (in == null) {
        return false;
      }
      original = in.readAllBytes();
    }
    byte[] result = transformer.transform(javaBase, null, internalName, null, null, original);
    if (result != null) {
      prepared.put(internalName, new byte[][] {original, result});
    }
    return true;
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
    byte[][] p = prepared.get(className);
    if (p != null && loader == null && Arrays.equals(p[0], classfileBuffer)) {
      return p[1].clone();
    }
    return transformer.transform(
        module, loader, className, classBeingRedefined, protectionDomain, classfileBuffer);
  }
}
