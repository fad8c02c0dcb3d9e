package dev.staplekeeper.agent.instrumentation;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.nameEndsWith;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.staplekeeper.agent.bootstrap.StapleBridge;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.IllegalClassFormatException;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.List;
import javax.net.ssl.KeyManager;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.matcher.ElementMatchers;

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
 * with five suffixes; Byte Buddy is set up only when one of them loads. Classes loaded before the
 * agent (a late attach) are not patched. The advice calls nothing but {@link StapleBridge}; a
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
  private volatile ClassFileTransformer patcher;

  private NonJsseDetection(Instrumentation inst) {
    this.inst = inst;
  }

  /** Registers the detection for classes loaded from now on. */
  public static void install(Instrumentation inst) {
    inst.addTransformer(new NonJsseDetection(inst), false);
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
    if (classBeingRedefined != null || !detects(className)) {
      return null;
    }
    return patcher()
        .transform(
            module, loader, className, classBeingRedefined, protectionDomain, classfileBuffer);
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
    ElementMatcher.Junction<net.bytebuddy.description.type.TypeDescription> contexts =
        ElementMatchers.none();
    for (String netty : NETTY_SERVER_CONTEXTS) {
      contexts = contexts.or(nameEndsWith(netty.replace('/', '.')));
    }
    for (String tomcat : TOMCAT_CONTEXTS) {
      contexts = contexts.or(named(tomcat.replace('/', '.')));
    }
    return new AgentBuilder.Default(new ByteBuddy().with(TypeValidation.DISABLED))
        .disableClassFormatChanges()
        .with(AgentBuilder.DescriptionStrategy.Default.POOL_ONLY)
        .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
        // a class in a named module must read the boot loader's unnamed module, where the bridge is
        .assureReadEdgeTo(inst, StapleBridge.class)
        .type(contexts)
        .transform(
            (builder, type, loader, module, domain) ->
                builder.visit(Advice.to(ContextCreatedAdvice.class).on(isConstructor())))
        .type(named(CONSCRYPT_CONTEXT.replace('/', '.')))
        .transform(
            (builder, type, loader, module, domain) ->
                builder.visit(
                    Advice.to(KeyedContextInitAdvice.class)
                        .on(
                            named("engineInit")
                                .and(takesArguments(3))
                                .and(takesArgument(0, KeyManager[].class)))))
        .makeRaw();
  }

  /** A server context of a non-JSSE stack was constructed. */
  public static class ContextCreatedAdvice {
    @Advice.OnMethodExit(suppress = Throwable.class)
    public static void exit(@Advice.This Object context, @Advice.Origin("#t") String type) {
      StapleBridge.nonJsseContext(context, type);
    }
  }

  /** A Conscrypt context was initialised with key managers, so it will present a certificate. */
  public static class KeyedContextInitAdvice {
    @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
    public static void exit(
        @Advice.This Object context,
        @Advice.Origin("#t") String type,
        @Advice.Argument(0) KeyManager[] keyManagers,
        @Advice.Thrown Throwable thrown) {
      if (thrown == null && keyManagers != null && keyManagers.length > 0) {
        StapleBridge.nonJsseContext(context, type);
      }
    }
  }
}
