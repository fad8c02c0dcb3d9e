package dev.staplekeeper.agent.instrumentation;

import dev.staplekeeper.agent.staple.Scheduler;
import java.lang.instrument.Instrumentation;
import java.security.Provider;
import java.security.Security;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Notices TLS server stacks that are not JSSE, so never reach the JDK's {@code
 * StatusResponseManager} that StapleKeeper replaces, by looking at the classes the JVM has loaded
 * (and the JVM's preferred {@code SSLContext} provider). Matches by class name only, so the agent
 * depends on none of them:
 *
 * <ul>
 *   <li>Netty's OpenSSL provider (netty-tcnative): {@code OpenSslServerContext} or {@code
 *       ReferenceCountedOpenSslServerContext} in {@code io.netty.handler.ssl}, also under a
 *       relocated prefix (gRPC's shaded Netty), and tcnative's {@code SSLContext} (an OpenSSL
 *       context was made): Netty's own class alone is no proof, the verifier loads it when it
 *       checks code that could build one (Reactor Netty with the JDK provider does);
 *   <li>Tomcat's OpenSSL implementation, tomcat-native and FFM: {@code
 *       org.apache.tomcat.util.net.openssl.OpenSSLContext} and {@code ...openssl.panama
 *       .OpenSSLContext};
 *   <li>Conscrypt as the JVM's first {@code SSLContext.TLS} provider: server contexts made with
 *       {@code SSLContext.getInstance("TLS")} are then Conscrypt's.
 * </ul>
 *
 * <p>Why a look at loaded classes and not a class file transformer: any registered transformer
 * makes the JVM hand every class it loads to Java code, including each class of a CDS archive
 * (whose bytes it then reads from the jar); on a Spring Boot start that cost about a second.
 * StapleKeeper registers no transformer once its JDK classes are patched.
 *
 * <p>Contract: {@link #scan} reports each stack found at most once per detection (its first class
 * in the order above); {@link #detected} and {@link #conscryptFirst} are pure and testable.
 */
public final class NonJsseDetection {
  private static final List<String> NETTY_SERVER_CONTEXTS =
      List.of(
          "io.netty.handler.ssl.OpenSslServerContext",
          "io.netty.handler.ssl.ReferenceCountedOpenSslServerContext");
  private static final List<String> TOMCAT_CONTEXTS =
      List.of(
          "org.apache.tomcat.util.net.openssl.OpenSSLContext",
          "org.apache.tomcat.util.net.openssl.panama.OpenSSLContext");
  static final String CONSCRYPT_CONTEXT = "org.conscrypt.OpenSSLContextImpl";
  private static final String NETTY_PACKAGE = "io.netty.handler.ssl.";

  private final Consumer<String> listener;

  /** How often {@link #startScanning} looks, while servers typically create their contexts. */
  static final Duration EARLY_INTERVAL = Duration.ofSeconds(2);

  static final Duration EARLY_PERIOD = Duration.ofMinutes(2);
  static final Duration LATER_INTERVAL = Duration.ofMinutes(5);

  private final Set<String> reported = ConcurrentHashMap.newKeySet();

  /** {@code listener} gets the class name of each non-JSSE server stack found, once per stack. */
  public NonJsseDetection(Consumer<String> listener) {
    this.listener = listener;
  }

  /** Whether {@code binaryName} is one of the detected server context classes. */
  static boolean detects(String binaryName) {
    return binaryName != null
        && (isNettyServerContext(binaryName) || TOMCAT_CONTEXTS.contains(binaryName));
  }

  /** One of Netty's OpenSSL server context classes, also under a relocated prefix. */
  private static boolean isNettyServerContext(String binaryName) {
    for (String netty : NETTY_SERVER_CONTEXTS) {
      if (binaryName.endsWith(netty)) {
        return true;
      }
    }
    return false;
  }

  /** tcnative's native context class of the (possibly relocated) Netty of {@code nettyClass}. */
  static String tcnativeContext(String nettyClass) {
    return nettyClass.substring(0, nettyClass.indexOf(NETTY_PACKAGE))
        + "io.netty.internal.tcnative.SSLContext";
  }

  /** The stack a detected class belongs to (Netty also under a relocated prefix). */
  static String stack(String binaryName) {
    if (isNettyServerContext(binaryName)) {
      return "netty:" + binaryName.substring(0, binaryName.indexOf(NETTY_PACKAGE));
    }
    return binaryName;
  }

  /**
   * Scans every {@link #EARLY_INTERVAL} for {@link #EARLY_PERIOD}, then every {@link
   * #LATER_INTERVAL}, on {@code scheduler}; the first scan one interval after the start, not at
   * once: it would compete with the application's start and the first fetch for the CPU (on JDK 25
   * the first scan took 80 to 110 ms on a starting server, docs/benchmarks.md section 4.3). A scan
   * is a walk over the loaded classes' names; the provider list is read only when a Conscrypt class
   * is loaded (reading it loads every configured security provider).
   */
  public void startScanning(Instrumentation inst, Scheduler scheduler) {
    long started = System.nanoTime();
    scheduler.schedule(
        new Runnable() {
          @Override
          public void run() {
            try {
              scan(inst.getAllLoadedClasses());
            } catch (RuntimeException | LinkageError e) {
              // a warning only: never worth failing anything for
            }
            boolean early = System.nanoTime() - started < EARLY_PERIOD.toNanos();
            scheduler.schedule(this, early ? EARLY_INTERVAL : LATER_INTERVAL);
          }
        },
        EARLY_INTERVAL);
  }

  /** Looks at {@code loaded} (and the provider list) and reports what it has not reported yet. */
  public void scan(Class<?>[] loaded) {
    List<String> names = new ArrayList<>(loaded.length);
    for (Class<?> c : loaded) {
      names.add(c.getName());
    }
    scan(names);
  }

  /** {@link #scan(Class[])} by class names. */
  void scan(List<String> loadedNames) {
    for (String name : detected(loadedNames)) {
      if (reported.add(stack(name))) {
        listener.accept(name);
      }
    }
    if (conscryptLoaded(loadedNames)
        && conscryptFirst(Security.getProviders("SSLContext.TLS"))
        && reported.add(CONSCRYPT_CONTEXT)) {
      listener.accept(CONSCRYPT_CONTEXT);
    }
  }

  /** The detected class names among {@code loadedNames}, the Netty server context first. */
  static List<String> detected(List<String> loadedNames) {
    Set<String> all = new HashSet<>(loadedNames);
    TreeSet<String> found = new TreeSet<>();
    for (String name : loadedNames) {
      if (detects(name) && (!isNettyServerContext(name) || all.contains(tcnativeContext(name)))) {
        found.add(name);
      }
    }
    // "...OpenSslServerContext" sorts before "...ReferenceCountedOpenSslServerContext"
    return List.copyOf(found);
  }

  /** Whether a Conscrypt class is loaded: without one, Conscrypt is no provider. */
  static boolean conscryptLoaded(List<String> loadedNames) {
    for (String name : loadedNames) {
      if (name.startsWith("org.conscrypt.")) {
        return true;
      }
    }
    return false;
  }

  /** Whether Conscrypt is the JVM's preferred TLS {@code SSLContext} provider. */
  static boolean conscryptFirst(Provider[] tlsProviders) {
    return tlsProviders != null
        && tlsProviders.length > 0
        && tlsProviders[0].getClass().getName().startsWith("org.conscrypt.");
  }
}
