package dev.staplekeeper.testapps.responder;

import dev.staplekeeper.testapps.ocsp.OcspResponseFactory;
import dev.staplekeeper.testapps.ocsp.OcspResponseFactory.Signer;
import dev.staplekeeper.testapps.pki.TestPki;
import dev.staplekeeper.testapps.responder.FaultAnswers.Answer;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.cert.ocsp.OCSPReq;

/**
 * A real HTTP OCSP responder (RFC 6960 appendix A: {@code POST /ocsp} with an {@code
 * application/ocsp-request} body, or {@code GET /ocsp/<base64 request>}) on 127.0.0.1, answering
 * for every certificate issued by a {@link TestPki}'s intermediate, with run-time switchable {@link
 * FaultMode}s ({@link FaultAnswers} says what each one answers; this class does the timing ones:
 * DOWN, HANG and SLOW).
 *
 * <p>The port is bound first so that it can go into the server certificate's AIA extension:
 *
 * <pre>{@code
 * OcspResponder responder = OcspResponder.bind(0);
 * TestPki pki = TestPki.create(dir, responder.url(), false);
 * responder.start(pki, Duration.ofMinutes(2));
 * responder.mode(FaultMode.UNAUTHORIZED);
 * responder.serveRaw(craftedDer); // exactly these bytes from now on (mode RAW)
 * }</pre>
 *
 * <p>Each connection carries one request and is closed after the answer ({@code Connection:
 * close}). Certificates of another issuer are answered {@code unauthorized} in every signing mode.
 * A request nonce is echoed. Thread-safe; {@link #close()} releases the port and every handler,
 * hanging ones included, within a few hundred milliseconds.
 */
public final class OcspResponder implements Closeable {
  private static final System.Logger LOG = System.getLogger("staplekeeper.responder");

  public static final String PATH = FaultAnswers.PATH;
  public static final Duration DEFAULT_VALIDITY = Duration.ofMinutes(2);
  public static final Duration DEFAULT_SLOW_DELAY = Duration.ofSeconds(3);
  public static final int OVERSIZED_BYTES = FaultAnswers.OVERSIZED_BYTES;
  private static final int READ_TIMEOUT_MILLIS = 10_000;
  private static final int POLL_MILLIS = 200;

  private final HttpServer http;
  private final int port;
  private final Object lock = new Object();
  private final AtomicInteger count = new AtomicInteger();

  // guarded by lock
  private FaultMode mode = FaultMode.HEALTHY;
  private boolean started;
  private boolean closed;

  private volatile OcspResponseFactory factory;
  private volatile Duration validity = DEFAULT_VALIDITY;
  private volatile Duration slowDelay = DEFAULT_SLOW_DELAY;
  private volatile Signer signer = Signer.DELEGATED;
  private volatile byte[] raw = new byte[0];

  private OcspResponder(HttpServer http) {
    this.http = http;
    this.port = http.port();
  }

  /**
   * Binds 127.0.0.1:{@code port} (0 = any free port) without answering yet: connections wait in the
   * backlog until {@link #start}.
   */
  public static OcspResponder bind(int port) throws IOException {
    return new OcspResponder(HttpServer.bind("ocsp-responder", port, READ_TIMEOUT_MILLIS));
  }

  /** Binds any free port, creates a PKI pointing at it in {@code dir} and starts answering. */
  public static OcspResponder startWithNewPki(Path dir, boolean mustStaple, Duration validity)
      throws IOException {
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
      http.start(new Handler());
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
      if (newMode == FaultMode.DOWN) {
        http.stopListening();
      } else {
        try {
          http.listenAgain();
        } catch (IOException e) {
          throw new UncheckedIOException("cannot bind port " + port + " again", e);
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

  /**
   * Serves exactly {@code body} (HTTP 200, {@code application/ocsp-response}) to every request from
   * now on: sets the RAW bytes and switches to {@link FaultMode#RAW}. For hostile-input tests.
   */
  public void serveRaw(byte[] body) {
    raw(body);
    mode(FaultMode.RAW);
  }

  /** Sets what {@link FaultMode#RAW} serves, without switching the mode. */
  public void raw(byte[] body) {
    this.raw = body.clone();
  }

  /** What {@link FaultMode#RAW} serves (empty until set). */
  public byte[] raw() {
    return raw.clone();
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
      lock.notifyAll();
    }
    http.close();
  }

  private int increment() {
    int n = count.incrementAndGet();
    synchronized (count) {
      count.notifyAll();
    }
    return n;
  }

  /** Counts, times and logs each request; {@link FaultAnswers} decides the answer. */
  private final class Handler implements HttpServer.Handler {
    @Override
    public void badRequest(HttpServer.Exchange ex, IOException problem) throws IOException {
      int n = increment();
      log(n, "?", "?", mode(), "-", "HTTP 400 (" + problem.getMessage() + ")");
      Answer a = FaultAnswers.text(400, "bad request\n", "HTTP 400");
      ex.respond(a.status(), a.contentType(), a.body());
    }

    @Override
    public void handle(HttpServer.Exchange ex) throws IOException {
      int n = increment();
      HttpRequest req = ex.request();
      OCSPReq ocspReq = FaultAnswers.parseOcspRequest(req);
      String serial = FaultAnswers.serialOf(ocspReq);
      FaultMode m = mode();
      if (m == FaultMode.HANG) {
        log(n, req.method(), req.path(), m, serial, "hanging");
        long t0 = System.nanoTime();
        m = awaitEndOfHang(ex.socket(), ex.in());
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
      Answer answer =
          FaultAnswers.answer(
              m, req, ocspReq, new FaultAnswers.Settings(factory, validity, signer, raw));
      ex.respond(answer.status(), answer.contentType(), answer.body());
      log(n, req.method(), req.path(), m, serial, answer.description());
    }
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
}
