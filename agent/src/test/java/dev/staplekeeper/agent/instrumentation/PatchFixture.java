package dev.staplekeeper.agent.instrumentation;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.TrustManager;

/**
 * Methods shaped like the JDK methods StapleKeeper patches, with the code that moving a method's
 * code must keep valid: a loop at offset 0 (a stack map frame there), a {@code tableswitch} (its
 * alignment), an exception handler, an object created across a branch (Uninitialized frame types),
 * and a first frame whose offset crosses the compact frame encoding's limit of 63 once moved.
 * {@link EntryCallPatcherTest} patches this class file and loads it in a verifying class loader.
 */
public class PatchFixture {
  public final List<String> ran = new ArrayList<>();

  /** Like StatusResponseManager.get. */
  public Map<X509Certificate, byte[]> get(
      Object type, Object request, X509Certificate[] chain, long delay, TimeUnit unit) {
    do {
      delay--;
    } while (delay > 10);
    String s;
    switch ((int) delay) {
      case 0:
        s = "zero";
        break;
      case 1:
        s = "one";
        break;
      case 2:
        s = "two";
        break;
      default:
        s = "many";
    }
    try {
      s = s + Integer.parseInt(unit == null ? "x" : "1");
    } catch (NumberFormatException e) {
      s = s + "!";
    }
    StringBuilder b = new StringBuilder(chain.length > 0 ? s : "empty");
    ran.add("get " + b);
    return Map.of();
  }

  /** Like SSLContext.init; its first frame is at offset 60..63 (see the test). */
  public void init(KeyManager[] km, TrustManager[] tm, SecureRandom random) {
    ran.add("a");
    ran.add("b");
    ran.add("c");
    ran.add("d");
    if (km == null) {
      ran.clear();
    }
    ran.add("init");
  }

  /** Like SSLContextImpl.isStaplingEnabled. */
  boolean isStaplingEnabled(boolean client) {
    ran.add("isStaplingEnabled");
    return client;
  }

  /**
   * Like SSLContextImpl.getStatusResponseManager, returning a type the bridge's Object is cast to.
   */
  CharSequence getStatusResponseManager() {
    ran.add("getStatusResponseManager");
    return null;
  }

  static Map<X509Certificate, byte[]> staticGet(Object type, X509Certificate[] chain) {
    return null;
  }

  /** Code with a type annotation: an attribute with code offsets the patcher does not move. */
  Object annotated() {
    @Marked String s = String.valueOf(ran.size());
    return s;
  }

  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.TYPE_USE)
  @interface Marked {}
}
