package dev.staplekeeper.agent.instrumentation;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.Map;
import java.util.function.Function;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.dynamic.VisibilityBridgeStrategy;
import net.bytebuddy.dynamic.scaffold.InstrumentedType;
import net.bytebuddy.dynamic.scaffold.MethodGraph;
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.implementation.Implementation;
import net.bytebuddy.pool.TypePool;

/**
 * Inlines an advice into a class with Byte Buddy's type redefinition, as an {@code AgentBuilder}
 * with {@code disableClassFormatChanges()} and frozen types would, but without the agent builder's
 * machinery (whose first use generates a class of its own and costs most of a cold start, and which
 * the jar does not ship).
 *
 * <p>Contract: {@code advices} maps a binary class name to its advice (null: not a target); with
 * {@code bootOnly} only classes of the boot loader are targets. Only the class's own class file and
 * its loader's are read, only its declared methods are considered. A patched class is recorded in
 * {@code transformed}; a failure is recorded in {@code errors} and leaves the class unchanged.
 */
final class AdviceTransformer implements ClassFileTransformer {
  private final Function<String, AsmVisitorWrapper> advices;
  private final boolean bootOnly;
  private final Map<String, Boolean> transformed;
  private final Map<String, Throwable> errors;
  private final ByteBuddy byteBuddy =
      new ByteBuddy()
          .with(TypeValidation.DISABLED)
          .with(Implementation.Context.Disabled.Factory.INSTANCE)
          .with(InstrumentedType.Factory.Default.FROZEN)
          .with(VisibilityBridgeStrategy.Default.NEVER)
          .with(MethodGraph.Compiler.ForDeclaredMethods.INSTANCE);

  AdviceTransformer(
      Function<String, AsmVisitorWrapper> advices,
      boolean bootOnly,
      Map<String, Boolean> transformed,
      Map<String, Throwable> errors) {
    this.advices = advices;
    this.bootOnly = bootOnly;
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
    if (internalName == null || (bootOnly && loader != null)) {
      return null;
    }
    String name = internalName.replace('/', '.');
    AsmVisitorWrapper advice = advices.apply(name);
    if (advice == null) {
      return null;
    }
    try {
      ClassFileLocator locator =
          new ClassFileLocator.Compound(
              ClassFileLocator.Simple.of(name, classfileBuffer),
              loader == null
                  ? ClassFileLocator.ForClassLoader.ofBootLoader()
                  : ClassFileLocator.ForClassLoader.of(loader));
      TypeDescription type =
          new TypePool.Default.WithLazyResolution(
                  new TypePool.CacheProvider.Simple(), locator, TypePool.Default.ReaderMode.FAST)
              .describe(name)
              .resolve();
      byte[] result = byteBuddy.redefine(type, locator).visit(advice).make().getBytes();
      transformed.put(name, Boolean.TRUE);
      return result;
    } catch (RuntimeException | LinkageError e) {
      errors.put(name, e);
      return null;
    }
  }
}
