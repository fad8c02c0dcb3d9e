package dev.staplekeeper.agent.instrumentation;

import dev.staplekeeper.agent.bootstrap.StapleBridge;
import java.util.Arrays;
import java.util.List;

/**
 * The bytecode StapleKeeper adds to JDK classes: nothing but a call to a static method of {@link
 * StapleBridge} at a method's entry, in front of the method's own code ({@link EntryCallPatcher}).
 *
 * <p>Contract: {@link #apply} returns the class file with every matching method patched, or null
 * when no method matched (the class is then left as it is); a class file it cannot patch with
 * certainty throws {@link IllegalArgumentException}. The bridge methods catch every {@code
 * Throwable} of their own, so the added calls cannot throw into the JDK's code; each answers what
 * makes the JDK run its own code when no agent is connected.
 */
public final class BridgeCalls {
  private static final String BRIDGE = StapleBridge.class.getName().replace('.', '/');
  private static final String CHAIN = "[Ljava/security/cert/X509Certificate;";

  private final List<EntryCall> calls;

  private BridgeCalls(EntryCall... calls) {
    this.calls = Arrays.asList(calls);
  }

  /**
   * {@code StatusResponseManager.get(type, request, chain, delay, unit)} (the same descriptor from
   * JDK 9 to 25): at entry, {@code StapleBridge.responses(type, chain)}; a non-null map is returned
   * at once, null runs the JDK's code.
   */
  public static BridgeCalls statusResponseManagerGet() {
    return new BridgeCalls(
        new EntryCall(
            "get",
            "(Lsun/security/ssl/CertStatusExtension$CertStatusRequestType;"
                + "Lsun/security/ssl/CertStatusExtension$CertStatusRequest;"
                + CHAIN
                + "JLjava/util/concurrent/TimeUnit;)Ljava/util/Map;",
            "responses",
            "(Ljava/lang/Object;" + CHAIN + ")Ljava/util/Map;",
            EntryCall.Kind.RETURN_IF_NOT_NULL,
            "A1 A3"));
  }

  /**
   * {@code SSLContext.init(keyManagers, trustManagers, random)}: at entry, {@code
   * StapleBridge.contextInitialized(keyManagers)}.
   */
  public static BridgeCalls sslContextInit() {
    return new BridgeCalls(
        new EntryCall(
            "init",
            "([Ljavax/net/ssl/KeyManager;[Ljavax/net/ssl/TrustManager;"
                + "Ljava/security/SecureRandom;)V",
            "contextInitialized",
            "([Ljavax/net/ssl/KeyManager;)V",
            EntryCall.Kind.CALL,
            "A1"));
  }

  /**
   * {@code SSLContextImpl}: {@code isStaplingEnabled(client)} answers true at once for a server
   * context when StapleKeeper switched server stapling on, and {@code getStatusResponseManager()}
   * returns StapleKeeper's manager then; otherwise both run the JDK's code.
   */
  public static BridgeCalls serverStaplingSwitch(String statusResponseManager) {
    return new BridgeCalls(
        new EntryCall(
            "isStaplingEnabled",
            "(Z)Z",
            "serverStaplingForced",
            "(Z)Z",
            EntryCall.Kind.RETURN_TRUE_IF_TRUE,
            "I1"),
        new EntryCall(
            "getStatusResponseManager",
            "()L" + statusResponseManager.replace('.', '/') + ";",
            "statusResponseManager",
            "()Ljava/lang/Object;",
            EntryCall.Kind.RETURN_IF_NOT_NULL,
            ""));
  }

  /** The class file with the matching methods patched, or null when no method matched. */
  public byte[] apply(byte[] classFile) {
    return EntryCallPatcher.apply(classFile, BRIDGE, calls);
  }
}
