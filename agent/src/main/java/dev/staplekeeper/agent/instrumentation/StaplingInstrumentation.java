package dev.staplekeeper.agent.instrumentation;

import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.returns;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.staplekeeper.agent.bootstrap.StapleBridge;
import java.lang.instrument.Instrumentation;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.TrustManager;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.agent.builder.ResettableClassFileTransformer;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.dynamic.scaffold.TypeValidation;

/**
 * The only code that touches JDK internals. Two advices, both inlined into {@code java.base} and
 * both calling nothing but {@link StapleBridge}:
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
  private ResettableClassFileTransformer transformer;

  /** Installs both advices; classes already loaded are retransformed. */
  public void install(Instrumentation inst) {
    transformer =
        new AgentBuilder.Default(new ByteBuddy().with(TypeValidation.DISABLED))
            .disableClassFormatChanges()
            .with(AgentBuilder.DescriptionStrategy.Default.POOL_ONLY)
            .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
            .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
            .with(AgentBuilder.TypeStrategy.Default.REDEFINE_FROZEN)
            .with(new TransformationRecorder(transformed, errors))
            // java.base must read the boot loader's unnamed module, where StapleBridge lives.
            .assureReadEdgeTo(inst, StapleBridge.class)
            .ignore(not(named(STATUS_RESPONSE_MANAGER).or(named(SSL_CONTEXT))))
            .type(named(STATUS_RESPONSE_MANAGER))
            .transform(
                (builder, type, loader, module, domain) ->
                    builder.visit(
                        Advice.to(StatusResponseManagerGetAdvice.class)
                            .on(
                                named("get")
                                    .and(takesArguments(5))
                                    .and(takesArgument(2, X509Certificate[].class))
                                    .and(takesArgument(4, TimeUnit.class))
                                    .and(returns(Map.class)))))
            .type(named(SSL_CONTEXT))
            .transform(
                (builder, type, loader, module, domain) ->
                    builder.visit(
                        Advice.to(SslContextInitAdvice.class)
                            .on(
                                named("init")
                                    .and(isPublic())
                                    .and(takesArguments(3))
                                    .and(takesArgument(0, KeyManager[].class))
                                    .and(takesArgument(1, TrustManager[].class))
                                    .and(takesArgument(2, SecureRandom.class)))))
            .installOn(inst);
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

  /** Restores the JDK's classes as they were. */
  public void uninstall(Instrumentation inst) {
    if (transformer != null) {
      transformer.reset(inst, AgentBuilder.RedefinitionStrategy.RETRANSFORMATION);
    }
  }

  /** Hands the handshake StapleKeeper's responses; null from the bridge runs the JDK's code. */
  public static class StatusResponseManagerGetAdvice {
    @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
    public static Map<X509Certificate, byte[]> enter(
        @Advice.Argument(0) Object type, @Advice.Argument(2) X509Certificate[] chain) {
      return StapleBridge.responses(type, chain);
    }

    @Advice.OnMethodExit(suppress = Throwable.class)
    public static void exit(
        @Advice.Enter Map<X509Certificate, byte[]> staples,
        @Advice.Return(readOnly = false) Map<X509Certificate, byte[]> result) {
      if (staples != null) {
        result = staples;
      }
    }
  }

  /** Tells StapleKeeper which certificates a newly initialised context will present. */
  public static class SslContextInitAdvice {
    @Advice.OnMethodExit(suppress = Throwable.class)
    public static void exit(@Advice.Argument(0) KeyManager[] keyManagers) {
      StapleBridge.contextInitialized(keyManagers);
    }
  }
}
