package dev.staplekeeper.agent.ocsp;

import dev.staplekeeper.agent.asn1.Der;
import dev.staplekeeper.agent.log.AgentLog;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.MalformedURLException;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLConnection;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fetches the DER OCSP response for one {@link CertId} from an HTTP(S) responder (RFC 6960 appendix
 * A, RFC 5019), bounded in time and size.
 *
 * <p>Contract: {@link #fetch} returns the response body of an HTTP 200 answer (not yet validated:
 * that is {@link ResponseValidator}'s job) or throws {@link FetchException}; it never returns later
 * than the total timeout after it was called, whatever the responder does (hang, trickle one byte a
 * second, send an endless body). The exchange runs on a daemon worker thread so the calling thread
 * can give up at the deadline even while the JDK's HTTP client is stuck in a read that a socket
 * timeout cannot end; a worker that outlives its deadline is disconnected and ends soon after.
 *
 * <p>Requests go through the proxy the JVM's {@link ProxySelector} picks for the responder URI
 * ({@code http.proxyHost}, {@code https.proxyHost}, {@code http.nonProxyHosts}, {@code
 * java.net.useSystemProxies}: as for the JDK's own OCSP client), unless {@link #withProxy} fixes
 * one (or {@link Proxy#NO_PROXY}) for OCSP alone; when the selector offers several, the next is
 * tried only if the connection to one fails. Requests bypass HTTP caches on the client side. Up to
 * {@link #MAX_REDIRECTS} redirects (301, 302, 303, 307, 308) are followed with the same method and
 * body: http to http, https to https and http to https, never https to http; every hop shares the
 * one deadline and the size limit. Every failure says which proxy and which hop of a redirect chain
 * it came from.
 *
 * <p>Requests carry no nonce unless {@link #withNonce} asks for one: stapled responses are shared
 * by every client, and many responders answer nonce requests from a pre-signed cache anyway. A
 * request whose URL-encoded base64 is at most {@value #MAX_GET_REQUEST_CHARS} characters is sent as
 * an RFC 5019 GET (so HTTP caches and CDNs can answer it), a longer one as POST; {@link
 * #withPostOnly} always POSTs.
 *
 * <p>Immutable and thread-safe.
 */
public final class OcspFetcher {
  private static final AgentLog LOG = AgentLog.get(OcspFetcher.class);

  static final String REQUEST_TYPE = "application/ocsp-request";
  static final String RESPONSE_TYPE = "application/ocsp-response";

  /**
   * GET only when the URL-encoded request is at most this long (the JDK's client does the same).
   */
  static final int MAX_GET_REQUEST_CHARS = 255;

  /** Redirects followed within one fetch; one more is a failure. */
  public static final int MAX_REDIRECTS = 3;

  /** Workers in flight at once; each lives at most about two total timeouts. */
  static final int MAX_IN_FLIGHT = 32;

  private static final int NONCE_BYTES = 16;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Duration connectTimeout;
  private final Duration totalTimeout;
  private final int maxResponseBytes;
  private final boolean postOnly;
  private final boolean nonce;
  private final ProxyRoute route;
  private final ExecutorService workers;

  /**
   * A fetcher that sends short requests by GET and longer ones by POST, without a nonce, through
   * the proxy the JVM's {@link ProxySelector} chooses.
   *
   * @param connectTimeout bound on establishing the TCP (and TLS) connection; positive
   * @param totalTimeout deadline for the whole exchange, connection to last body byte; positive
   * @param maxResponseBytes largest accepted response body; positive
   */
  public OcspFetcher(Duration connectTimeout, Duration totalTimeout, int maxResponseBytes) {
    this(
        positive(connectTimeout, "connectTimeout"),
        positive(totalTimeout, "totalTimeout"),
        positive(maxResponseBytes),
        false,
        false,
        new ProxyRoute(null),
        newWorkers());
  }

  private OcspFetcher(
      Duration connectTimeout,
      Duration totalTimeout,
      int maxResponseBytes,
      boolean postOnly,
      boolean nonce,
      ProxyRoute route,
      ExecutorService workers) {
    this.connectTimeout = connectTimeout;
    this.totalTimeout = totalTimeout;
    this.maxResponseBytes = maxResponseBytes;
    this.postOnly = postOnly;
    this.nonce = nonce;
    this.route = route;
    this.workers = workers;
  }

  /** A fetcher like this one that POSTs every request when {@code enabled}, never using GET. */
  public OcspFetcher withPostOnly(boolean enabled) {
    return new OcspFetcher(
        connectTimeout, totalTimeout, maxResponseBytes, enabled, nonce, route, workers);
  }

  /**
   * A fetcher like this one that sends every request through {@code proxy} ({@link Proxy#NO_PROXY}:
   * straight to the responder) instead of asking the JVM's {@link ProxySelector}; null asks the
   * selector again.
   */
  public OcspFetcher withProxy(Proxy proxy) {
    return new OcspFetcher(
        connectTimeout,
        totalTimeout,
        maxResponseBytes,
        postOnly,
        nonce,
        new ProxyRoute(proxy),
        workers);
  }

  /**
   * A fetcher like this one that puts a fresh random nonce in every request when {@code enabled}.
   */
  public OcspFetcher withNonce(boolean enabled) {
    return new OcspFetcher(
        connectTimeout, totalTimeout, maxResponseBytes, postOnly, enabled, route, workers);
  }

  public Duration connectTimeout() {
    return connectTimeout;
  }

  public Duration totalTimeout() {
    return totalTimeout;
  }

  public int maxResponseBytes() {
    return maxResponseBytes;
  }

  /** True when every request is POSTed; false when short ones go by GET. */
  public boolean postOnly() {
    return postOnly;
  }

  /** The fixed proxy ({@link Proxy#NO_PROXY}: direct), or null when the JVM's selector decides. */
  public Proxy proxy() {
    return route.fixed();
  }

  public boolean usesNonce() {
    return nonce;
  }

  /**
   * Asks {@code responder} for the status of {@code id} and returns the response body.
   *
   * @return the DER bytes the responder sent with HTTP 200 (possibly empty or garbage: validate
   *     them)
   * @throws FetchException on refusal, timeout, HTTP status other than 200, a body above the limit,
   *     or any other I/O failure; never later than the total timeout after the call
   */
  public byte[] fetch(URI responder, CertId id) throws FetchException {
    Objects.requireNonNull(responder, "responder");
    Objects.requireNonNull(id, "id");
    long start = System.nanoTime();
    long deadline = start + totalTimeout.toNanos();
    String scheme = responder.getScheme();
    if (scheme == null
        || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
        || responder.getHost() == null) {
      throw new FetchException(
          FetchException.Kind.IO, responder, "not an http(s) URI with a host; cannot fetch");
    }
    byte[] request = encodeRequest(id, nonce);
    URI getUri = postOnly ? null : getUri(responder, request);
    Exchange exchange =
        new Exchange(
            responder, getUri != null ? getUri : responder, getUri == null, request, deadline);

    Future<byte[]> future;
    try {
      future = workers.submit(exchange);
    } catch (RejectedExecutionException e) {
      throw new FetchException(
          FetchException.Kind.IO,
          responder,
          "too many OCSP fetches in flight (limit " + MAX_IN_FLIGHT + "); try again later",
          e);
    }
    try {
      byte[] body = future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (LOG.isDebugEnabled()) {
        LOG.debug(
            "fetched {} bytes for {} from {} via {} in {} ms",
            body.length,
            id,
            responder,
            getUri == null ? "POST" : "GET",
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
      }
      return body;
    } catch (TimeoutException e) {
      exchange.abort();
      future.cancel(true);
      throw exchange.timeout("no complete response", e);
    } catch (InterruptedException e) {
      exchange.abort();
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw new FetchException(
          FetchException.Kind.IO, responder, "interrupted while waiting for the responder", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof FetchException) {
        FetchException f = (FetchException) cause;
        // Re-create on this thread so the stack trace shows the caller too.
        throw new FetchException(f.kind(), responder, f.detail(), f);
      }
      throw new FetchException(
          FetchException.Kind.IO, responder, "unexpected failure: " + describe(cause), cause);
    }
  }

  /**
   * Everything a first fetch from {@code responder} for {@code id} does before its first byte goes
   * on the wire (the request, its GET URI, an unconnected {@link HttpURLConnection}), with no I/O:
   * the start-up warm-up runs it so that the first real fetch does not pay for loading that code.
   */
  public static void rehearse(URI responder, CertId id) throws FetchException, IOException {
    byte[] request = encodeRequest(id, false);
    URI get = getUri(responder, request);
    URLConnection unconnected =
        (get != null ? get : responder).toURL().openConnection(Proxy.NO_PROXY);
    if (!(unconnected instanceof HttpURLConnection)) {
      throw new IOException("not an HTTP URL: " + responder);
    }
  }

  /** The DER OCSPRequest for {@code id}, with a fresh nonce when {@code withNonce}. */
  static byte[] encodeRequest(CertId id, boolean withNonce) {
    // RFC 6960 section 4.1.1: OCSPRequest { TBSRequest { requestList { Request { reqCert } } } }
    byte[] requestList = Der.sequence(Der.sequence(id.encoded()));
    if (!withNonce) {
      return Der.sequence(Der.sequence(requestList));
    }
    byte[] value = new byte[NONCE_BYTES];
    RANDOM.nextBytes(value);
    // RFC 8954: extnValue is the DER of Nonce ::= OCTET STRING (SIZE(1..32)).
    byte[] nonce = Der.sequence(Der.oid(OcspOids.NONCE), Der.octetString(Der.octetString(value)));
    return Der.sequence(Der.sequence(requestList, Der.explicit(2, Der.sequence(nonce))));
  }

  /**
   * The RFC 5019 GET URI {@code <responder>/<url-encoded base64 request>} (base64 {@code /}, {@code
   * +} and {@code =} percent-encoded), or null when the encoded request is longer than {@value
   * #MAX_GET_REQUEST_CHARS} characters or the responder URI has a query or fragment.
   */
  static URI getUri(URI responder, byte[] request) {
    String encoded =
        URLEncoder.encode(Base64.getEncoder().encodeToString(request), StandardCharsets.UTF_8);
    if (encoded.length() > MAX_GET_REQUEST_CHARS
        || responder.getRawQuery() != null
        || responder.getRawFragment() != null) {
      return null;
    }
    String base = responder.toString();
    return URI.create(base.endsWith("/") ? base + encoded : base + "/" + encoded);
  }

  /**
   * One fetch, run on a worker thread: one HTTP exchange per hop of a redirect chain, each through
   * the chosen proxy; the caller may abort it at the deadline.
   */
  private final class Exchange implements Callable<byte[]> {
    private final URI responder;
    private final URI first;
    private final boolean post;
    private final byte[] request;
    private final long deadline;

    /** Every URI asked so far: the first, then each redirect target. */
    private final List<URI> chain = new ArrayList<>();

    private volatile HttpURLConnection connection;
    private volatile Proxy via = Proxy.NO_PROXY;
    private volatile boolean aborted;

    Exchange(URI responder, URI first, boolean post, byte[] request, long deadline) {
      this.responder = responder;
      this.first = first;
      this.post = post;
      this.request = request;
      this.deadline = deadline;
    }

    @Override
    public byte[] call() throws FetchException {
      URI target = first;
      synchronized (chain) {
        chain.add(target);
      }
      while (true) {
        Hop hop = hop(target);
        if (hop.body != null) {
          return hop.body;
        }
        URI next = redirectTarget(target, hop);
        synchronized (chain) {
          if (chain.size() > MAX_REDIRECTS) {
            throw new FetchException(
                FetchException.Kind.HTTP_STATUS,
                responder,
                "more than "
                    + MAX_REDIRECTS
                    + " redirects; the chain "
                    + chainText()
                    + " ended with HTTP "
                    + hop.status
                    + " pointing on to "
                    + next
                    + viaText());
          }
          chain.add(next);
        }
        LOG.debug(
            "responder {} redirected {} to {} (HTTP {})", responder, target, next, hop.status);
        target = next;
      }
    }

    /** The redirect target of {@code hop} answered by {@code from}, if it may be followed. */
    private URI redirectTarget(URI from, Hop hop) throws FetchException {
      if (hop.location == null || hop.location.isBlank()) {
        throw new FetchException(
            FetchException.Kind.HTTP_STATUS,
            responder,
            "answered HTTP " + hop.status + " without a Location" + where() + "; expected 200");
      }
      URI next;
      try {
        next = from.resolve(new URI(hop.location.trim()));
      } catch (URISyntaxException | IllegalArgumentException e) {
        throw new FetchException(
            FetchException.Kind.HTTP_STATUS,
            responder,
            "answered HTTP "
                + hop.status
                + " with an unusable Location '"
                + hop.location
                + "'"
                + where(),
            e);
      }
      String fromScheme = from.getScheme().toLowerCase(Locale.ROOT);
      String nextScheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
      boolean allowed =
          next.getHost() != null
              && (nextScheme.equals("https")
                  || (nextScheme.equals("http") && fromScheme.equals("http")));
      if (!allowed) {
        throw new FetchException(
            FetchException.Kind.HTTP_STATUS,
            responder,
            "answered HTTP "
                + hop.status
                + " redirecting to "
                + next
                + ", not followed (only http to http, https to https and http to https are)"
                + where());
      }
      return next;
    }

    /** One request to {@code target}, through the first proxy that accepts a connection. */
    private Hop hop(URI target) throws FetchException {
      List<Proxy> proxies = route.proxiesFor(target);
      for (int i = 0; ; i++) {
        Proxy candidate = proxies.get(i);
        via = candidate;
        HttpURLConnection conn = null;
        try {
          conn = open(target, candidate);
          try {
            conn.connect();
          } catch (ConnectException | SocketTimeoutException | UnknownHostException e) {
            if (i + 1 < proxies.size() && !aborted && remainingMillis() > 0) {
              route.connectFailed(target, candidate, e);
              LOG.debug("proxy {} failed for {} ({}); trying the next", candidate, target, e);
              continue;
            }
            if (candidate.type() != Proxy.Type.DIRECT) {
              route.connectFailed(target, candidate, e);
            }
            throw e;
          }
          return exchange(conn);
        } catch (FetchException e) {
          throw e;
        } catch (SocketTimeoutException e) {
          throw timeout(
              describe(e).toLowerCase(Locale.ROOT).contains("connect")
                  ? "no connection established"
                  : "no complete response",
              e);
        } catch (ConnectException e) {
          if (aborted) {
            throw timeout("no connection established", e);
          }
          String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
          if (message.contains("timed out")) {
            throw timeout("no connection established", e);
          }
          throw new FetchException(
              FetchException.Kind.CONNECT_REFUSED,
              responder,
              candidate.type() == Proxy.Type.DIRECT
                  ? "connection refused ("
                      + describe(e)
                      + ")"
                      + where()
                      + "; is the responder running?"
                  : "connection refused by proxy "
                      + ProxyRoute.name(candidate)
                      + " ("
                      + describe(e)
                      + ")"
                      + redirectText()
                      + "; is the proxy running?",
              e);
        } catch (UnknownHostException e) {
          throw new FetchException(
              FetchException.Kind.IO,
              responder,
              "cannot resolve host " + e.getMessage() + where(),
              e);
        } catch (IOException | RuntimeException e) {
          if (aborted || System.nanoTime() - deadline >= 0) {
            throw timeout("no complete response", e);
          }
          throw new FetchException(FetchException.Kind.IO, responder, describe(e) + where(), e);
        } finally {
          // No keep-alive reuse: fetches are minutes apart, and a POST on a connection the
          // responder has meanwhile closed would fail without the JDK retrying it.
          if (conn != null) {
            conn.disconnect();
          }
        }
      }
    }

    private HttpURLConnection open(URI target, Proxy through) throws IOException, FetchException {
      URLConnection opened;
      try {
        opened = target.toURL().openConnection(through);
      } catch (MalformedURLException | IllegalArgumentException e) {
        throw new FetchException(
            FetchException.Kind.IO, responder, "not a usable URL: " + describe(e) + where(), e);
      }
      if (!(opened instanceof HttpURLConnection)) {
        throw new FetchException(
            FetchException.Kind.IO, responder, "not an HTTP URL: " + opened.getClass().getName());
      }
      HttpURLConnection conn = (HttpURLConnection) opened;
      connection = conn;
      long remaining = remainingMillis();
      if (aborted || remaining <= 0) {
        throw timeout("no connection established", null);
      }
      conn.setConnectTimeout((int) Math.min(connectTimeout.toMillis(), remaining));
      conn.setReadTimeout((int) remaining);
      conn.setUseCaches(false);
      conn.setInstanceFollowRedirects(false);
      conn.setAllowUserInteraction(false);
      conn.setRequestProperty("Accept", RESPONSE_TYPE);
      conn.setRequestProperty("Connection", "close");
      if (post) {
        conn.setRequestMethod("POST");
        conn.setDoOutput(true);
        // Fixed-length streaming also stops the JDK client from silently re-sending the POST.
        conn.setFixedLengthStreamingMode(request.length);
        conn.setRequestProperty("Content-Type", REQUEST_TYPE);
      } else {
        conn.setRequestMethod("GET");
      }
      return conn;
    }

    private Hop exchange(HttpURLConnection conn) throws IOException, FetchException {
      if (post) {
        try (OutputStream out = conn.getOutputStream()) {
          out.write(request);
        }
      }
      int status = conn.getResponseCode();
      if (status < 0) {
        throw new FetchException(
            FetchException.Kind.IO,
            responder,
            "answered without a valid HTTP status line" + where());
      }
      if (isRedirect(status)) {
        return Hop.redirect(status, conn.getHeaderField("Location"));
      }
      if (status != HttpURLConnection.HTTP_OK) {
        throw httpStatus(conn, status);
      }
      String contentType = conn.getContentType();
      if (contentType == null
          || !contentType.trim().toLowerCase(Locale.ROOT).startsWith(RESPONSE_TYPE)) {
        LOG.debug(
            "responder {} answered Content-Type {}; expected {} (tolerated)",
            responder,
            contentType,
            RESPONSE_TYPE);
      }
      long declared = conn.getContentLengthLong();
      if (declared > maxResponseBytes) {
        throw tooLarge("declares Content-Length " + declared);
      }
      try (InputStream in = conn.getInputStream()) {
        return Hop.body(readBounded(in));
      }
    }

    private byte[] readBounded(InputStream in) throws IOException, FetchException {
      ByteArrayOutputStream body = new ByteArrayOutputStream(Math.min(maxResponseBytes, 8192));
      byte[] buffer = new byte[8192];
      int total = 0;
      while (true) {
        // Ask for at most one byte past the limit: enough to know the body is too large.
        int n = in.read(buffer, 0, Math.min(buffer.length, maxResponseBytes + 1 - total));
        if (n < 0) {
          return body.toByteArray();
        }
        total += n;
        if (total > maxResponseBytes) {
          throw tooLarge("sent more than " + maxResponseBytes + " bytes");
        }
        body.write(buffer, 0, n);
        if (aborted || System.nanoTime() - deadline >= 0) {
          throw timeout("response body incomplete after " + total + " bytes", null);
        }
      }
    }

    private FetchException httpStatus(HttpURLConnection conn, int status) {
      String reason = null;
      String server = null;
      String proxyAuthenticate = null;
      try {
        reason = conn.getResponseMessage();
        server = conn.getHeaderField("Server");
        proxyAuthenticate = conn.getHeaderField("Proxy-Authenticate");
      } catch (RuntimeException | IOException e) {
        // The status line is what matters; the rest is decoration.
      }
      Proxy through = via;
      boolean proxyRefused =
          status == HttpURLConnection.HTTP_PROXY_AUTH && through.type() != Proxy.Type.DIRECT;
      StringBuilder detail = new StringBuilder();
      if (proxyRefused) {
        detail.append("proxy ").append(ProxyRoute.name(through)).append(" refused: ");
      }
      detail.append("answered HTTP ").append(status);
      if (reason != null && !reason.isEmpty()) {
        detail.append(' ').append(reason);
      }
      if (server != null && !server.isEmpty()) {
        detail.append(" (Server: ").append(server).append(')');
      }
      if (proxyAuthenticate != null) {
        detail.append(" (Proxy-Authenticate: ").append(proxyAuthenticate).append(')');
      }
      detail.append(proxyRefused ? redirectText() : where()).append("; expected 200");
      return new FetchException(FetchException.Kind.HTTP_STATUS, responder, detail.toString());
    }

    private FetchException tooLarge(String what) {
      return new FetchException(
          FetchException.Kind.TOO_LARGE,
          responder,
          "response "
              + what
              + ", above the limit of "
              + maxResponseBytes
              + " bytes (max response bytes)"
              + where());
    }

    FetchException timeout(String what, Throwable cause) {
      return new FetchException(
          FetchException.Kind.TIMEOUT,
          responder,
          what + " within the deadline of " + totalTimeout.toMillis() + " ms" + where(),
          cause);
    }

    /**
     * Where the exchange stands, for failure lines: the hop of a redirect chain and the proxy, or
     * nothing for a direct request that was not redirected.
     */
    private String where() {
      return redirectText() + viaText();
    }

    /** Empty unless a redirect was followed: then the whole chain so far. */
    private String redirectText() {
      synchronized (chain) {
        return chain.size() > 1 ? " (at the end of the redirect chain " + chainText() + ")" : "";
      }
    }

    private String chainText() {
      StringBuilder sb = new StringBuilder();
      for (URI u : chain) {
        sb.append(sb.length() == 0 ? "" : " -> ").append(u);
      }
      return sb.toString();
    }

    private String viaText() {
      return ProxyRoute.via(via);
    }

    /**
     * Called by the waiting thread at the deadline. The disconnect runs on its own short-lived
     * thread: while a worker is blocked reading, the JDK's stream close waits for the read's lock,
     * and the caller must not wait for that.
     */
    void abort() {
      aborted = true;
      HttpURLConnection conn = connection;
      if (conn != null) {
        Thread closer = new Thread(conn::disconnect, "staplekeeper-ocsp-abort");
        closer.setDaemon(true);
        closer.start();
      }
    }

    private long remainingMillis() {
      return TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    }
  }

  private static boolean isRedirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
  }

  /** What one hop of a fetch produced: the body of a 200, or a redirect. */
  private static final class Hop {
    final byte[] body;
    final int status;
    final String location;

    private Hop(byte[] body, int status, String location) {
      this.body = body;
      this.status = status;
      this.location = location;
    }

    static Hop body(byte[] body) {
      return new Hop(body, HttpURLConnection.HTTP_OK, null);
    }

    static Hop redirect(int status, String location) {
      return new Hop(null, status, location);
    }
  }

  private static String describe(Throwable e) {
    String message = e.getMessage();
    return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  private static ExecutorService newWorkers() {
    ThreadFactory factory =
        new ThreadFactory() {
          private final AtomicInteger count = new AtomicInteger();

          @Override
          public Thread newThread(Runnable task) {
            Thread thread = new Thread(task, "staplekeeper-ocsp-fetch-" + count.incrementAndGet());
            thread.setDaemon(true);
            // Never pin a web application's class loader from a long-lived agent thread.
            thread.setContextClassLoader(OcspFetcher.class.getClassLoader());
            return thread;
          }
        };
    // No core threads: an idle fetcher holds no threads and needs no shutdown.
    return new ThreadPoolExecutor(
        0, MAX_IN_FLIGHT, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), factory);
  }

  private static Duration positive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero() || d.toMillis() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(name + " must be between 1 ms and 24 days: " + d);
    }
    return d;
  }

  private static int positive(int maxResponseBytes) {
    if (maxResponseBytes <= 0 || maxResponseBytes == Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "maxResponseBytes must be positive and below " + Integer.MAX_VALUE);
    }
    return maxResponseBytes;
  }
}
