package dev.staplekeeper.agent.instrumentation;

import dev.staplekeeper.agent.bootstrap.StapleBridge;
import dev.staplekeeper.agent.log.AgentLog;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Constructor;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns server-side stapling on for {@code SSLContext}s that were created while {@code
 * jdk.tls.server.enableStatusRequestExtension} was unset (before a late attach, or before the agent
 * set it). In JDK 11 to 25 {@code sun.security.ssl.SSLContextImpl} reads that property once per
 * context into the final field {@code serverEnableStapling}, and with it off {@code
 * isStaplingEnabled(false)} is false and {@code getStatusResponseManager()} returns null. Two calls
 * added at the entry of those methods ({@link BridgeCalls#serverStaplingSwitch}) answer for them
 * when {@link StapleBridge#serverStapling()} holds a {@code StatusResponseManager} (created here,
 * once, by reflection, and then used by every server context: its {@code get} is answered by
 * StapleKeeper anyway). Installed only when the property is true at start; an explicit {@code
 * false} from the user therefore still wins. Any failure leaves the JDK as it was. The bridge they
 * call lives in the same package as {@code SSLContextImpl}, so no module edge is needed.
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
    PatchTransformer transformer = null;
    try {
      Object manager = newStatusResponseManager(inst);
      StapleBridge.enableServerStapling(manager);
      BridgeCalls patch =
          BridgeCalls.serverStaplingSwitch(StaplingInstrumentation.STATUS_RESPONSE_MANAGER);
      transformer =
          new PatchTransformer(
              name -> SSL_CONTEXT_IMPL.equals(name) ? patch : null, transformed, errors);
      inst.addTransformer(transformer, true);
      Class<?> impl = Class.forName(SSL_CONTEXT_IMPL, false, null);
      if (!transformed.containsKey(SSL_CONTEXT_IMPL)) {
        // loaded before the transformer was added (any SSLContext made so far): patch it now
        inst.retransformClasses(impl);
      }
      if (transformed.containsKey(SSL_CONTEXT_IMPL)) {
        // patched: no transformer stays registered (see NonJsseDetection for why)
        inst.removeTransformer(transformer);
        return List.of(SSL_CONTEXT_IMPL);
      }
      throw new IllegalStateException(
          errors.isEmpty() ? "methods not found" : errors.values().iterator().next().toString());
    } catch (Exception | LinkageError e) {
      StapleBridge.enableServerStapling(null);
      if (transformer != null) {
        inst.removeTransformer(transformer);
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
}
