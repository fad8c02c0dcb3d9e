package dev.staplekeeper.agent.bootstrap;

import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import javax.net.ssl.KeyManager;

/**
 * The only StapleKeeper class that JDK code calls. The patched JDK code runs inside {@code
 * java.base}, which sees no other loader, so the agent jar carries this class renamed into {@code
 * java.base}'s own package {@code sun.security.ssl} (as {@code
 * sun.security.ssl.StapleKeeperBridge}, a shade relocation) and defines it there at start ({@code
 * BridgeInjector}); nothing is appended to the bootstrap class path, so class-data sharing stays
 * on. Everything else (and every relocated dependency) stays in the agent's own loader, reached
 * through the two volatile delegates below.
 *
 * <p>Its signatures use JDK types only. A missing delegate, or any {@code Throwable} from one,
 * means "let the JDK do what it would have done": {@link #responses} then returns null and the
 * patched method runs the JDK's original code.
 */
public final class StapleBridge {
  private static volatile BiFunction<String, X509Certificate[], Map<X509Certificate, byte[]>>
      responses;
  private static volatile Consumer<KeyManager[]> contextListener;
  private static final AtomicBoolean claimed = new AtomicBoolean();
  private static volatile Object serverStapling;

  private StapleBridge() {}

  /**
   * Called by the patched {@code StatusResponseManager.get}: the staples for {@code chain}, an
   * empty map for "no staple now", or null for "run the JDK's own code".
   */
  public static Map<X509Certificate, byte[]> responses(
      Object requestType, X509Certificate[] chain) {
    BiFunction<String, X509Certificate[], Map<X509Certificate, byte[]>> d = responses;
    if (d == null) {
      return null;
    }
    try {
      String type = requestType instanceof Enum ? ((Enum<?>) requestType).name() : "OCSP";
      return d.apply(type, chain);
    } catch (Throwable t) {
      return null;
    }
  }

  /**
   * Called at the entry of {@code SSLContext.init}: the key managers a context is given (null for
   * none, a client's context).
   */
  public static void contextInitialized(KeyManager[] keyManagers) {
    Consumer<KeyManager[]> d = contextListener;
    if (d == null) {
      return;
    }
    try {
      d.accept(keyManagers);
    } catch (Throwable ignored) {
      // prefetch is an optimisation; a failure here must never fail SSLContext.init
    }
  }

  /**
   * Connects the agent; null arguments disconnect it (JDK behaviour from then on) and give up the
   * {@linkplain #claim claim}, so that a later attach may try again.
   */
  public static void install(
      BiFunction<String, X509Certificate[], Map<X509Certificate, byte[]>> responseDelegate,
      Consumer<KeyManager[]> contextDelegate) {
    responses = responseDelegate;
    contextListener = contextDelegate;
    if (responseDelegate == null) {
      serverStapling = null;
    }
    if (responseDelegate == null && contextDelegate == null) {
      claimed.set(false);
    }
  }

  /**
   * True for the one agent start that may connect in this JVM: a second {@code -javaagent} or
   * attach gets false, also while the first is still starting in the background.
   */
  public static boolean claim() {
    return claimed.compareAndSet(false, true);
  }

  /**
   * Called by the patched {@code SSLContextImpl}: the {@code StatusResponseManager} to use for a
   * server context whose own stapling switch is off, or null to leave it off.
   */
  public static Object serverStapling() {
    return responses == null ? null : serverStapling;
  }

  /**
   * Called at the entry of {@code SSLContextImpl.isStaplingEnabled(client)}: true (the method then
   * answers true) for a server context when StapleKeeper switched server stapling on; false runs
   * the JDK's code.
   */
  public static boolean serverStaplingForced(boolean client) {
    return !client && serverStapling() != null;
  }

  /**
   * Called at the entry of {@code SSLContextImpl.getStatusResponseManager()}: StapleKeeper's
   * manager (returned at once) when StapleKeeper switched server stapling on, or null to run the
   * JDK's code.
   */
  public static Object statusResponseManager() {
    return serverStapling();
  }

  /** Switches stapling on for every server context ({@code manager}), or back off (null). */
  public static void enableServerStapling(Object manager) {
    serverStapling = manager;
  }

  /** True once a StapleKeeper agent has connected; guards against a second attach. */
  public static boolean isInstalled() {
    return responses != null;
  }
}
