package dev.staplekeeper.testapps.responder;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The small HTTP/1.1 server under the OCSP responder and its control endpoint: 127.0.0.1 only, one
 * request per connection ({@code Connection: close}), each connection on a daemon thread of its
 * own.
 *
 * <p>It can stop listening and listen again on the same port ({@link #stopListening()}, {@link
 * #listenAgain()}), which is how the responder's DOWN mode refuses connections. {@link #close()}
 * releases the port and closes every open connection, so handlers blocked on one (a hanging
 * request) end within a few hundred milliseconds. Thread-safe.
 */
final class HttpServer implements Closeable {
  /** One request and the connection to answer it on. */
  interface Exchange {
    HttpRequest request();

    Socket socket();

    InputStream in();

    /** Writes the whole answer (status line, headers, body). */
    void respond(int status, String contentType, byte[] body) throws IOException;
  }

  /** What the server does with each request. Runs on the connection's thread. */
  interface Handler {
    void handle(Exchange exchange) throws IOException;

    /** A request that could not be parsed; the default answers HTTP 400. */
    default void badRequest(Exchange exchange, IOException problem) throws IOException {
      exchange.respond(400, "text/plain", "bad request\n".getBytes(StandardCharsets.US_ASCII));
    }
  }

  private static final InetAddress LOOPBACK = loopback();

  private final String name;
  private final int port;
  private final int readTimeoutMillis;
  private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
  private final ExecutorService pool;
  private final Object lock = new Object();

  // guarded by lock
  private ServerSocket listener;
  private Thread acceptor;
  private Handler handler;
  private boolean closed;

  private HttpServer(String name, ServerSocket listener, int readTimeoutMillis) {
    this.name = name;
    this.listener = listener;
    this.port = listener.getLocalPort();
    this.readTimeoutMillis = readTimeoutMillis;
    AtomicInteger threads = new AtomicInteger();
    this.pool =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, name + "-" + port + "-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Binds 127.0.0.1:{@code port} (0 = any free port) without answering yet: connections wait in the
   * backlog until {@link #start}.
   */
  static HttpServer bind(String name, int port, int readTimeoutMillis) throws IOException {
    return new HttpServer(name, listen(port), readTimeoutMillis);
  }

  /** Starts answering with {@code handler}. */
  void start(Handler handler) {
    synchronized (lock) {
      if (closed || this.handler != null) {
        throw new IllegalStateException(name + " closed or already started");
      }
      this.handler = handler;
      if (listener != null) {
        startAcceptor();
      }
    }
  }

  int port() {
    return port;
  }

  boolean listening() {
    synchronized (lock) {
      return listener != null;
    }
  }

  /**
   * Closes the listening socket and every open connection: new connections are refused. Waits for
   * the acceptor to leave accept(), since until then the kernel keeps the socket listening.
   */
  void stopListening() {
    synchronized (lock) {
      if (listener != null) {
        closeListener();
      }
    }
    connections.forEach(HttpServer::closeQuietly);
  }

  /** Binds the same port again after {@link #stopListening()}; nothing if it listens. */
  void listenAgain() throws IOException {
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException(name + " closed");
      }
      if (listener == null) {
        listener = listen(port);
        if (handler != null) {
          startAcceptor();
        }
      }
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
        closeListener();
      }
    }
    connections.forEach(HttpServer::closeQuietly);
    pool.shutdownNow();
    try {
      pool.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void startAcceptor() {
    ServerSocket ss = listener;
    Thread t = new Thread(() -> acceptLoop(ss), name + "-" + port + "-accept");
    t.setDaemon(true);
    t.start();
    acceptor = t;
  }

  private void closeListener() {
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
        return; // listener closed
      }
      connections.add(s);
      if (ss.isClosed()) { // raced with stopListening/close, which may have missed this socket
        connections.remove(s);
        closeQuietly(s);
        return;
      }
      try {
        pool.execute(() -> serve(s));
      } catch (RejectedExecutionException e) {
        connections.remove(s);
        closeQuietly(s);
        return;
      }
    }
  }

  private void serve(Socket s) {
    Handler h;
    synchronized (lock) {
      h = handler;
    }
    try (s) {
      s.setSoTimeout(readTimeoutMillis);
      s.setTcpNoDelay(true);
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      HttpRequest req;
      try {
        req = HttpRequest.read(in, out);
      } catch (SocketTimeoutException e) {
        return;
      } catch (IOException e) {
        h.badRequest(new Connection(null, s, in, out), e);
        return;
      }
      if (req != null) {
        h.handle(new Connection(req, s, in, out));
      }
    } catch (IOException e) {
      // the client went away, or stopListening/close closed the socket
    } finally {
      connections.remove(s);
    }
  }

  private record Connection(HttpRequest request, Socket socket, InputStream in, OutputStream out)
      implements Exchange {
    @Override
    public void respond(int status, String contentType, byte[] body) throws IOException {
      String head =
          "HTTP/1.1 "
              + status
              + " "
              + reason(status)
              + "\r\nContent-Type: "
              + contentType
              + "\r\nContent-Length: "
              + body.length
              + "\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n";
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
    }
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

  static void closeQuietly(Closeable c) {
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
