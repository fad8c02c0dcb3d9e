package dev.staplekeeper.agent.ocsp;

import dev.staplekeeper.agent.log.AgentLog;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * Which proxy an OCSP request goes through.
 *
 * <p>Contract: with a fixed proxy (an operator's {@code proxy} setting, or {@link Proxy#NO_PROXY}
 * for {@code direct}) every request uses it. Otherwise the JVM's current {@link ProxySelector} is
 * asked for each URI, exactly as the JDK's own OCSP client lets {@code HttpURLConnection} do
 * ({@code http.proxyHost}, {@code https.proxyHost}, {@code http.nonProxyHosts}, {@code
 * java.net.useSystemProxies}, or an application's selector); its proxies are tried in order, and it
 * is told about each one that could not be connected to. No selector, an empty answer or a failing
 * selector means direct. Immutable and thread-safe.
 */
final class ProxyRoute {
  private static final AgentLog LOG = AgentLog.get(ProxyRoute.class);

  private final Proxy fixed;

  /** {@code fixed}: the proxy for every request, or null to ask the JVM's selector each time. */
  ProxyRoute(Proxy fixed) {
    this.fixed = fixed;
  }

  /** The fixed proxy, or null when the JVM's selector decides. */
  Proxy fixed() {
    return fixed;
  }

  /** The proxies to try for {@code target}, in order; never empty. */
  List<Proxy> proxiesFor(URI target) {
    if (fixed != null) {
      return List.of(fixed);
    }
    ProxySelector selector = ProxySelector.getDefault();
    if (selector == null) {
      return List.of(Proxy.NO_PROXY);
    }
    List<Proxy> selected = new ArrayList<>();
    try {
      List<Proxy> offered = selector.select(target);
      if (offered != null) {
        for (Proxy p : offered) {
          if (p != null) {
            selected.add(p);
          }
        }
      }
    } catch (RuntimeException e) {
      LOG.debug("the JVM's proxy selector failed for {}; going direct", target, e);
    }
    return selected.isEmpty() ? List.of(Proxy.NO_PROXY) : selected;
  }

  /** Tells the JVM's selector that {@code failed} could not be reached (not for a fixed proxy). */
  void connectFailed(URI target, Proxy failed, IOException e) {
    ProxySelector selector = ProxySelector.getDefault();
    if (fixed == null && selector != null && failed.address() != null) {
      try {
        selector.connectFailed(target, failed.address(), e);
      } catch (RuntimeException ignored) {
        // a selector's bookkeeping must not change the outcome
      }
    }
  }

  /** {@code host:port} of a proxy, as an operator would write it. */
  static String name(Proxy p) {
    if (p.address() instanceof InetSocketAddress) {
      InetSocketAddress a = (InetSocketAddress) p.address();
      return a.getHostString() + ":" + a.getPort();
    }
    return String.valueOf(p.address());
  }

  /** For failure lines: empty for a direct request, else {@code " (via HTTP proxy host:port)"}. */
  static String via(Proxy p) {
    return p.type() == Proxy.Type.DIRECT ? "" : " (via " + p.type() + " proxy " + name(p) + ")";
  }
}
