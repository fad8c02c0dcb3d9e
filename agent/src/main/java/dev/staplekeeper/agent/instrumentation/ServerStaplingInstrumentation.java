package dev.staplekeeper.agent.instrumentation;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.returns;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.staplekeeper.agent.bootstrap.StapleBridge;
import dev.staplekeeper.agent.log.AgentLog;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Constructor;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.agent.builder.ResettableClassFileTransformer;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Turns server-side stapling on for {@code SSLContext}s that were created while {@code
 * jdk.tls.server.enableStatusRequestExtension} was unset (before a late attach, or before the agent
 * set it). In JDK 11 to 25 {@code sun.security.ssl.SSLContextImpl} reads that property once per
 * context into the final field {@code serverEnableStapling}, and with it off {@code
 * isStaplingEnabled(false)} is false and {@code getStatusResponseManager()} returns null. Two exit
 * advices change those two answers when {@link StapleBridge#serverStapling()} holds a {@code
 * StatusResponseManager} (created here, once, by reflection: its {@code get} is answered by
 * StapleKeeper anyway). Installed only when the property is true at start; an explicit {@code
 * false} from the user therefore still wins. Any failure leaves the JDK as it was.
 */
public final class ServerStaplingInstrumentation {
  private static final AgentLog log = AgentLog.get(ServerStaplingInstrumentation.class);
  public static final String SSL_CONTEXT_IMPL = "sun.security.ssl.SSLContextImpl";

  private final Map<String, Throwable> errors = new ConcurrentHashMap<>();
  private final Map<String, Boolean> transformed = new ConcurrentHashMap<>();

  /**
   * Installs the switch; returns the class it patched (empty, with a WARNING logged, when it could
   * not: contexts created without the property then keep stapling off, as in the JDK).
   */
  public List<String> install(Instrumentation inst) {
    ResettableClassFileTransformer transformer = null;
    try {
      Object manager = newStatusResponseManager(inst);
      StapleBridge.enableServerStapling(manager);
      transformer =
          new AgentBuilder.Default(new ByteBuddy().with(TypeValidation.DISABLED))
              .disableClassFormatChanges()
              .with(AgentBuilder.DescriptionStrategy.Default.POOL_ONLY)
              .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
              .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
              .with(AgentBuilder.TypeStrategy.Default.REDEFINE_FROZEN)
              .with(new TransformationRecorder(transformed, errors))
              .assureReadEdgeTo(inst, StapleBridge.class)
              .ignore(not(named(SSL_CONTEXT_IMPL)))
              .type(named(SSL_CONTEXT_IMPL))
              .transform(
                  (builder, type, loader, module, domain) ->
                      builder
                          .visit(
                              Advice.to(IsStaplingEnabledAdvice.class)
                                  .on(
                                      named("isStaplingEnabled")
                                          .and(takesArguments(1))
                                          .and(takesArgument(0, boolean.class))
                                          .and(returns(boolean.class))))
                          .visit(
                              Advice.to(GetStatusResponseManagerAdvice.class)
                                  .on(
                                      named("getStatusResponseManager")
                                          .and(takesArguments(0))
                                          .and(returns(manager.getClass())))))
              .installOn(inst);
      Class.forName(SSL_CONTEXT_IMPL, false, null);
      if (transformed.containsKey(SSL_CONTEXT_IMPL)) {
        return List.of(SSL_CONTEXT_IMPL);
      }
      throw new IllegalStateException(
          errors.isEmpty() ? "methods not found" : errors.values().iterator().next().toString());
    } catch (Exception | LinkageError e) {
      StapleBridge.enableServerStapling(null);
      if (transformer != null) {
        transformer.reset(inst, AgentBuilder.RedefinitionStrategy.RETRANSFORMATION);
      }
      log.warn(
          "StapleKeeper could not turn stapling on for server SSLContexts created without"
              + " jdk.tls.server.enableStatusRequestExtension ({}); those created from now on"
              + " staple",
          e.toString());
      return Collections.emptyList();
    }
  }

  /** The one StatusResponseManager all switched-on contexts share; its get() is ours. */
  private static Object newStatusResponseManager(Instrumentation inst) throws Exception {
    Class<?> srm = Class.forName(StaplingInstrumentation.STATUS_RESPONSE_MANAGER, false, null);
    Module own = ServerStaplingInstrumentation.class.getModule();
    inst.redefineModule(
        srm.getModule(),
        Set.of(),
        Map.of(),
        Map.of(srm.getPackageName(), Set.of(own)),
        Set.of(),
        Map.of());
    Constructor<?> c = srm.getDeclaredConstructor();
    c.setAccessible(true);
    return c.newInstance();
  }

  /** {@code isStaplingEnabled(false)}: true when StapleKeeper switched server stapling on. */
  public static class IsStaplingEnabledAdvice {
    @Advice.OnMethodExit(suppress = Throwable.class)
    public static void exit(
        @Advice.Argument(0) boolean client, @Advice.Return(readOnly = false) boolean enabled) {
      if (!client && !enabled) {
        enabled = StapleBridge.serverStapling() != null;
      }
    }
  }

  /** {@code getStatusResponseManager()}: StapleKeeper's manager where the JDK has none. */
  public static class GetStatusResponseManagerAdvice {
    @Advice.OnMethodExit(suppress = Throwable.class)
    public static void exit(
        @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object manager) {
      if (manager == null) {
        manager = StapleBridge.serverStapling();
      }
    }
  }
}
