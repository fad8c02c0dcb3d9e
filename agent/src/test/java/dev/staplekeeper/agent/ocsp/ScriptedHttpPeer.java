package dev.staplekeeper.agent.ocsp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A scripted HTTP/1.1 peer on 127.0.0.1 for the wire-level cases the test-apps responder does not
 * model (headers or body trickled a byte at a time, bodies without Content-Length, redirects). It
 * records every request and answers each connection with the script.
 */
final class ScriptedHttpPeer implements AutoCloseable {
  /** What the peer writes back on one connection, after the request was read. */
  interface Script {
    void answer(OutputStream out, Request request) throws IOException, InterruptedException;
  }

  /** A request as it arrived. */
  static final class Request {
    final String method;
    final String target;
    final Map<String, String> headers;
    final byte[] body;

    Request(String method, String target, Map<String, String> headers, byte[] body) {
      this.method = method;
      this.target = target;
      this.headers = headers;
      this.body = body;
    }

    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  private final ServerSocket server;
  private final Script script;
  private final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final Thread acceptor;
  private final CountDownLatch hungUp = new CountDownLatch(1);

  ScriptedHttpPeer(Script script) throws IOException {
    this.script = script;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.acceptor = new Thread(this::acceptLoop, "scripted-http-peer");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.getLocalPort() + path);
  }

  Request takeRequest() throws InterruptedException {
    Request request = requests.poll(5, TimeUnit.SECONDS);
    if (request == null) {
      throw new AssertionError("no request reached the peer");
    }
    return request;
  }

  /** True once a connection ended because the client closed it while the script was writing. */
  boolean awaitClientHangUp(long millis) throws InterruptedException {
    return hungUp.await(millis, TimeUnit.MILLISECONDS);
  }

  /** Writes {@code bytes} one at a time, {@code pauseMillis} apart, until the peer goes away. */
  static void trickle(OutputStream out, byte[] bytes, long pauseMillis)
      throws IOException, InterruptedException {
    for (byte b : bytes) {
      out.write(b);
      out.flush();
      Thread.sleep(pauseMillis);
    }
  }

  static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        sockets.add(socket);
        Thread handler = new Thread(() -> handle(socket), "scripted-http-peer-conn");
        handler.setDaemon(true);
        handler.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void handle(Socket socket) {
    try (socket) {
      InputStream in = socket.getInputStream();
      Request request = read(in);
      requests.add(request);
      OutputStream out = socket.getOutputStream();
      script.answer(out, request);
      out.flush();
    } catch (IOException e) {
      // The fetcher hung up (deadline, size limit): expected, and what some tests wait for.
      hungUp.countDown();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Request read(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int state = 0;
    while (state < 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("request ended in the headers");
      }
      head.write(b);
      state =
          (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3))
              ? state + 1
              : (b == '\r' ? 1 : 0);
    }
    String[] lines = head.toString(StandardCharsets.US_ASCII).split("\r\n");
    String[] requestLine = lines[0].split(" ");
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers.put(
            lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
            lines[i].substring(colon + 1).trim());
      }
    }
    byte[] body = new byte[0];
    String length = headers.get("content-length");
    if (length != null) {
      body = in.readNBytes(Integer.parseInt(length));
    }
    return new Request(requestLine[0], requestLine[1], headers, body);
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket socket : sockets) {
      socket.close();
    }
  }
}
