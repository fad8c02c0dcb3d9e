package dev.staplekeeper.testapps.responder;

import dev.staplekeeper.testapps.ocsp.OcspResponseFactory;
import dev.staplekeeper.testapps.ocsp.OcspResponseFactory.Signer;
import dev.staplekeeper.testapps.pki.TestPki;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPReq;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.bouncycastle.cert.ocsp.Req;

/**
 * A real HTTP OCSP responder (RFC 6960 appendix A: {@code POST /ocsp} with an {@code
 * application/ocsp-request} body, or {@code GET /ocsp/<base64 request>}) on 127.0.0.1, answering
 * for every certificate issued by a {@link TestPki}'s intermediate, with run-time switchable {@link
 * FaultMode}s.
 *
 * <p>The port is bound first so that it can go into the server certificate's AIA extension:
 *
 * <pre>{@code
 * OcspResponder responder = OcspResponder.bind(0);
 * TestPki pki = TestPki.create(dir, responder.url(), false);
 * responder.start(pki, Duration.ofMinutes(2));
 * responder.mode(FaultMode.UNAUTHORIZED);
 * }</pre>
 *
 * <p>Each connection carries one request and is closed after the answer ({@code Connection:
 * close}). Certificates of another issuer are answered {@code unauthorized} in every signing mode.
 * A request nonce is echoed. Thread-safe; {@link #close()} releases the port and every handler,
 * hanging ones included, within a few hundred milliseconds.
 */
public final class OcspResponder implements Closeable {
  private static final System.Logger LOG = System.getLogger("staplekeeper.responder");

  public static final String PATH = "/ocsp";
  public static final Duration DEFAULT_VALIDITY = Duration.ofMinutes(2);
  public static final Duration DEFAULT_SLOW_DELAY = Duration.ofSeconds(3);
  public static final int OVERSIZED_BYTES = 2 * 1024 * 1024;
  static final Duration EXPIRED_BY = Duration.ofHours(1);
  static final Duration FUTURE_BY = Duration.ofHours(3);
  static final Duration REVOKED_AGO = Duration.ofMinutes(10);
  private static final int READ_TIMEOUT_MILLIS = 10_000;
  private static final int POLL_MILLIS = 200;
  private static final InetAddress LOOPBACK = loopback();
  private static final SecureRandom RANDOM = new SecureRandom();

  private final int port;
  private final Object lock = new Object();
  private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
  private final AtomicInteger count = new AtomicInteger();
  private final ExecutorService pool;

  // guarded by lock
  private ServerSocket listener;
  private Thread acceptor;
  private FaultMode mode = FaultMode.HEALTHY;
  private boolean started;
  private boolean closed;

  private volatile OcspResponseFactory factory;
  private volatile Duration validity = DEFAULT_VALIDITY;
  private volatile Duration slowDelay = DEFAULT_SLOW_DELAY;
  private volatile Signer signer = Signer.DELEGATED;

  private OcspResponder(ServerSocket listener) {
    this.listener = listener;
    this.port = listener.getLocalPort();
    AtomicInteger threads = new AtomicInteger();
    this.pool =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "ocsp-responder-" + port + "-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Binds 127.0.0.1:{@code port} (0 = any free port) without answering yet: connections wait in the
   * backlog until {@link #start}.
   */
  public static OcspResponder bind(int port) throws IOException {
    return new OcspResponder(listen(port));
  }

  /** Binds any free port, creates a PKI pointing at it in {@code dir} and starts answering. */
  public static OcspResponder startWithNewPki(
      java.nio.file.Path dir, boolean mustStaple, Duration validity) throws IOException {
    OcspResponder responder = bind(0);
    try {
      responder.start(TestPki.create(dir, responder.url(), mustStaple), validity);
      return responder;
    } catch (IOException | RuntimeException e) {
      responder.close();
      throw e;
    }
  }

  /** Starts answering for {@code pki}; responses are valid {@code validity} from now. */
  public OcspResponder start(TestPki pki, Duration validity) {
    validity(validity);
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("responder closed");
      }
      if (started) {
        throw new IllegalStateException("responder already started");
      }
      this.factory = new OcspResponseFactory(pki);
      started = true;
      if (listener != null) {
        startAcceptor(listener);
      }
    }
    LOG.log(
        System.Logger.Level.INFO,
        "ocsp:"
            + port
            + " OCSP responder on "
            + url()
            + " for "
            + pki.intermediate().getSubjectX500Principal());
    return this;
  }

  /** {@code http://127.0.0.1:<port>/ocsp}. */
  public URI url() {
    return URI.create("http://127.0.0.1:" + port + PATH);
  }

  public int port() {
    return port;
  }

  /** The PKI given to {@link #start}, or null before. */
  public TestPki pki() {
    OcspResponseFactory f = factory;
    return f == null ? null : f.pki();
  }

  public FaultMode mode() {
    synchronized (lock) {
      return mode;
    }
  }

  /**
   * Switches the fault mode. Entering DOWN closes the listening socket and every open connection;
   * leaving it binds the same port again. Requests hanging in HANG are answered in the new mode.
   *
   * @throws UncheckedIOException if the port cannot be bound again on leaving DOWN (the responder
   *     then stays DOWN)
   */
  public void mode(FaultMode newMode) {
    Objects.requireNonNull(newMode);
    FaultMode old;
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("responder closed");
      }
      old = mode;
      if (newMode == FaultMode.DOWN && listener != null) {
        stopListening();
        connections.forEach(OcspResponder::closeQuietly);
      } else if (newMode != FaultMode.DOWN && listener == null) {
        try {
          listener = listen(port);
        } catch (IOException e) {
          throw new UncheckedIOException("cannot bind port " + port + " again", e);
        }
        if (started) {
          startAcceptor(listener);
        }
      }
      mode = newMode;
      lock.notifyAll();
    }
    if (old != newMode) {
      LOG.log(
          System.Logger.Level.INFO,
          "ocsp:" + port + " mode " + old.cliName() + " -> " + newMode.cliName());
    }
  }

  /** Lifetime of signed responses (nextUpdate - thisUpdate). */
  public void validity(Duration validity) {
    if (validity.isNegative() || validity.isZero()) {
      throw new IllegalArgumentException("validity must be positive: " + validity);
    }
    this.validity = validity;
  }

  public Duration validity() {
    return validity;
  }

  /** Delay of the SLOW mode. */
  public void slowDelay(Duration delay) {
    this.slowDelay = Objects.requireNonNull(delay);
  }

  /** Who signs good responses: {@link Signer#DELEGATED} (default) or {@link Signer#ISSUER}. */
  public void signer(Signer signer) {
    this.signer = Objects.requireNonNull(signer);
  }

  public Signer signer() {
    return signer;
  }

  /** HTTP requests that reached the responder since start or the last {@link #resetCount()}. */
  public int requestCount() {
    return count.get();
  }

  public void resetCount() {
    count.set(0);
  }

  /** Waits until {@link #requestCount()} is at least {@code atLeast}; false on timeout. */
  public boolean awaitRequestCount(int atLeast, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (count) {
      while (count.get() < atLeast) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          return false;
        }
        count.wait(left);
      }
      return true;
    }
  }

  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      if (listener != null) {
        stopListening();
      }
      lock.notifyAll();
    }
    connections.forEach(OcspResponder::closeQuietly);
    pool.shutdownNow();
    try {
      pool.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void startAcceptor(ServerSocket ss) {
    Thread t = new Thread(() -> acceptLoop(ss), "ocsp-responder-" + port + "-accept");
    t.setDaemon(true);
    t.start();
    acceptor = t;
  }

  /**
   * Closes the listener and waits for the acceptor to leave accept(): the kernel keeps the socket
   * listening (and queues connections it will then reset) until that thread returns.
   */
  private void stopListening() {
    closeQuietly(listener);
    listener = null;
    Thread t = acceptor;
    acceptor = null;
    if (t != null && t != Thread.currentThread()) {
      try {
        t.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void acceptLoop(ServerSocket ss) {
    while (true) {
      Socket s;
      try {
        s = ss.accept();
      } catch (IOException e) {
        return; // listener closed (DOWN or close)
      }
      connections.add(s);
      if (ss.isClosed()) { // raced with DOWN/close, which may have missed this socket
        connections.remove(s);
        closeQuietly(s);
        return;
      }
      try {
        pool.execute(() -> handle(s));
      } catch (RejectedExecutionException e) {
        connections.remove(s);
        closeQuietly(s);
        return;
      }
    }
  }

  private void handle(Socket s) {
    try (s) {
      s.setSoTimeout(READ_TIMEOUT_MILLIS);
      s.setTcpNoDelay(true);
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      HttpRequest req;
      try {
        req = HttpRequest.read(in, out);
      } catch (SocketTimeoutException e) {
        return;
      } catch (IOException e) {
        int n = increment();
        log(n, "?", "?", mode(), "-", "HTTP 400 (" + e.getMessage() + ")");
        write(out, new Answer(400, "text/plain", bytes("bad request\n"), "HTTP 400"));
        return;
      }
      if (req == null) {
        return;
      }
      serve(increment(), req, s, in, out);
    } catch (IOException e) {
      // client went away or DOWN/close closed the socket
    } finally {
      connections.remove(s);
    }
  }

  private int increment() {
    int n = count.incrementAndGet();
    synchronized (count) {
      count.notifyAll();
    }
    return n;
  }

  private void serve(int n, HttpRequest req, Socket s, InputStream in, OutputStream out)
      throws IOException {
    OCSPReq ocspReq = parseOcspRequest(req);
    String serial = serialOf(ocspReq);
    FaultMode m = mode();
    if (m == FaultMode.HANG) {
      log(n, req.method(), req.path(), m, serial, "hanging");
      long t0 = System.nanoTime();
      m = awaitEndOfHang(s, in);
      if (m == null) {
        log(
            n,
            req.method(),
            req.path(),
            FaultMode.HANG,
            serial,
            "hang ended after "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)
                + " ms: connection closed, no answer");
        return;
      }
    }
    if (m == FaultMode.SLOW && !sleepUnlessClosed(slowDelay)) {
      return;
    }
    if (m == FaultMode.DOWN) {
      return;
    }
    Answer answer = answer(m, req, ocspReq);
    write(out, answer);
    log(n, req.method(), req.path(), m, serial, answer.description());
  }

  /** The mode that ended the hang, or null if the connection or the responder was closed. */
  private FaultMode awaitEndOfHang(Socket s, InputStream in) throws IOException {
    s.setSoTimeout(POLL_MILLIS);
    while (true) {
      synchronized (lock) {
        if (closed || s.isClosed()) {
          return null;
        }
        if (mode != FaultMode.HANG) {
          return mode;
        }
      }
      try {
        if (in.read() < 0) {
          return null; // the client gave up
        }
      } catch (SocketTimeoutException e) {
        // still hanging
      }
    }
  }

  private boolean sleepUnlessClosed(Duration delay) {
    long deadline = System.nanoTime() + delay.toNanos();
    synchronized (lock) {
      while (!closed) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          return true;
        }
        try {
          lock.wait(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      return false;
    }
  }

  private Answer answer(FaultMode m, HttpRequest req, OCSPReq ocspReq) {
    String path = req.path();
    if (!path.equals(PATH) && !path.startsWith(PATH + "/")) {
      return new Answer(404, "text/plain", bytes("not found\n"), "HTTP 404");
    }
    if (!req.method().equals("POST") && !req.method().equals("GET")) {
      return new Answer(405, "text/plain", bytes("method not allowed\n"), "HTTP 405");
    }
    switch (m) {
      case UNAUTHORIZED:
        return error(OCSPRespBuilder.UNAUTHORIZED, "unauthorized");
      case TRY_LATER:
        return error(OCSPRespBuilder.TRY_LATER, "tryLater");
      case INTERNAL_ERROR:
        return error(OCSPRespBuilder.INTERNAL_ERROR, "internalError");
      case MALFORMED_REQUEST:
        return error(OCSPRespBuilder.MALFORMED_REQUEST, "malformedRequest");
      case SIG_REQUIRED:
        return error(OCSPRespBuilder.SIG_REQUIRED, "sigRequired");
      case HTTP_500:
        return new Answer(500, "text/plain", bytes("responder broken\n"), "HTTP 500");
      case GARBAGE:
        byte[] garbage = new byte[1024];
        RANDOM.nextBytes(garbage);
        garbage[0] = 0x5a; // never a DER SEQUENCE
        return new Answer(200, OCSP_RESPONSE, garbage, "garbage (1024 random bytes)");
      default:
        break;
    }
    if (ocspReq == null || ocspReq.getRequestList().length == 0) {
      return error(OCSPRespBuilder.MALFORMED_REQUEST, "malformedRequest (unparseable request)");
    }
    OcspResponseFactory f = factory;
    List<CertificateID> ids = new ArrayList<>();
    for (Req r : ocspReq.getRequestList()) {
      if (!f.issuedByIntermediate(r.getCertID())) {
        return error(OCSPRespBuilder.UNAUTHORIZED, "unauthorized (unknown issuer)");
      }
      ids.add(r.getCertID());
    }
    return signed(m, f.forCertIds(ids), ocspReq);
  }

  private Answer signed(FaultMode m, OcspResponseFactory.Spec spec, OCSPReq ocspReq) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Duration v = validity;
    spec.signer(signer).thisUpdate(now).validity(v);
    Extension nonce = ocspReq.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce);
    if (nonce != null) {
      spec.extension(nonce);
    }
    String what = "good";
    switch (m) {
      case EXPIRED -> {
        spec.thisUpdate(now.minus(v).minus(EXPIRED_BY)).nextUpdate(now.minus(EXPIRED_BY));
        what = "good, expired";
      }
      case FUTURE -> {
        spec.thisUpdate(now.plus(FUTURE_BY));
        what = "good, thisUpdate in the future";
      }
      case NO_NEXT_UPDATE -> {
        spec.nextUpdate(null);
        what = "good, no nextUpdate";
      }
      case REVOKED -> {
        spec.revoked(now.minus(REVOKED_AGO), 1);
        what = "revoked";
      }
      case UNKNOWN -> {
        spec.unknown();
        what = "unknown";
      }
      case WRONG_SIGNER -> {
        spec.signer(Signer.ROGUE);
        what = "good, forged";
      }
      case WRONG_CERT_ID -> {
        BigInteger asked = ocspReq.getRequestList()[0].getCertID().getSerialNumber();
        spec.serial(asked.add(BigInteger.ONE));
        what = "good, for serial + 1";
      }
      case DELEGATED_NO_EKU -> {
        spec.signer(Signer.DELEGATED_NO_EKU);
        what = "good, signer without OCSPSigning EKU";
      }
      case OVERSIZED -> {
        spec.padding(OVERSIZED_BYTES);
        what = "good, padded to 2 MiB";
      }
      default -> {
        // HEALTHY, SLOW and HANG (answered after the hang in HEALTHY terms)
      }
    }
    byte[] body = spec.build();
    return new Answer(
        200,
        OCSP_RESPONSE,
        body,
        "successful "
            + what
            + " signer="
            + spec.signer().name().toLowerCase(java.util.Locale.ROOT)
            + " validity="
            + v.toSeconds()
            + "s");
  }

  private static final String OCSP_RESPONSE = "application/ocsp-response";

  private static Answer error(int status, String description) {
    return new Answer(200, OCSP_RESPONSE, OcspResponseFactory.errorResponse(status), description);
  }

  /** The OCSP request of a POST body or a GET path, or null if there is none or it is invalid. */
  static OCSPReq parseOcspRequest(HttpRequest req) {
    try {
      if (req.method().equals("POST")) {
        return req.body().length == 0 ? null : new OCSPReq(req.body());
      }
      if (req.method().equals("GET") && req.path().startsWith(PATH + "/")) {
        String encoded = percentDecode(req.path().substring(PATH.length() + 1));
        encoded = encoded.replace(' ', '+');
        byte[] der;
        try {
          der = Base64.getDecoder().decode(encoded);
        } catch (IllegalArgumentException e) {
          der = Base64.getUrlDecoder().decode(encoded);
        }
        return new OCSPReq(der);
      }
    } catch (IOException | RuntimeException e) {
      return null;
    }
    return null;
  }

  private static String percentDecode(String s) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%' && i + 2 < s.length()) {
        out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        out.write(c);
      }
    }
    return out.toString(StandardCharsets.ISO_8859_1);
  }

  private static String serialOf(OCSPReq req) {
    if (req == null || req.getRequestList().length == 0) {
      return "-";
    }
    StringBuilder sb = new StringBuilder();
    for (Req r : req.getRequestList()) {
      sb.append(sb.length() == 0 ? "" : ",").append(r.getCertID().getSerialNumber().toString(16));
    }
    return sb.toString();
  }

  private static void write(OutputStream out, Answer a) throws IOException {
    String head =
        "HTTP/1.1 "
            + a.status()
            + " "
            + reason(a.status())
            + "\r\nContent-Type: "
            + a.contentType()
            + "\r\nContent-Length: "
            + a.body().length
            + "\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n";
    out.write(head.getBytes(StandardCharsets.US_ASCII));
    out.write(a.body());
    out.flush();
  }

  private static String reason(int status) {
    return switch (status) {
      case 200 -> "OK";
      case 400 -> "Bad Request";
      case 404 -> "Not Found";
      case 405 -> "Method Not Allowed";
      default -> "Internal Server Error";
    };
  }

  private void log(
      int n, String method, String path, FaultMode m, String serial, String description) {
    String shortPath = path.length() > 24 ? path.substring(0, 21) + "..." : path;
    LOG.log(
        System.Logger.Level.INFO,
        "ocsp:"
            + port
            + " #"
            + n
            + " "
            + method
            + " "
            + shortPath
            + " mode="
            + m.cliName()
            + " serial="
            + serial
            + " -> "
            + description);
  }

  private record Answer(int status, String contentType, byte[] body, String description) {}

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static ServerSocket listen(int port) throws IOException {
    IOException last = null;
    for (int attempt = 0; attempt < 20; attempt++) {
      ServerSocket ss = new ServerSocket();
      try {
        ss.setReuseAddress(true);
        ss.bind(new InetSocketAddress(LOOPBACK, port), 128);
        return ss;
      } catch (IOException e) {
        closeQuietly(ss);
        last = e;
        if (port == 0) {
          break;
        }
        try {
          Thread.sleep(100);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    throw last;
  }

  private static void closeQuietly(Closeable c) {
    try {
      c.close();
    } catch (IOException e) {
      // nothing to do
    }
  }

  private static InetAddress loopback() {
    try {
      return InetAddress.getByAddress("127.0.0.1", new byte[] {127, 0, 0, 1});
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
