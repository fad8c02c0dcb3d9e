package dev.staplekeeper.testapps.cli;

import dev.staplekeeper.testapps.pki.TestPki;
import dev.staplekeeper.testapps.process.Ready;
import dev.staplekeeper.testapps.server.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/** {@code jsse-server|tomcat|jetty --pki DIR --port N}: an HTTPS server without stapling code. */
public final class ServerCommand implements Command {
  private final TestServer.Kind kind;

  public ServerCommand(TestServer.Kind kind) {
    this.kind = kind;
  }

  @Override
  public String name() {
    return kind.command();
  }

  @Override
  public String summary() {
    return switch (kind) {
      case JSSE -> "plain JSSE HTTPS server (SSLServerSocket + thread pool)";
      case TOMCAT -> "embedded Tomcat 11 HTTPS (NIO connector, JSSE implementation)";
      case JETTY -> "embedded Jetty 12 HTTPS (core Handler API, SslContextFactory.Server)";
    };
  }

  @Override
  public String help() {
    return "usage: "
        + name()
        + " (--pki DIR | --keystore FILE [--password P]) [--port N] [--exit-on-stdin-eof]\n\n"
        + summary()
        + ".\n"
        + """
        Listens on 127.0.0.1 with the PKI's server.p12 (alias server) and answers every request
        with HTTP 200 and a one-line page. Prints "READY port=<port>" on stdout once listening;
        runs until SIGTERM / Ctrl-C. Contains no stapling code: the JDK staples when started with
        -Djdk.tls.server.enableStatusRequestExtension=true, the StapleKeeper agent with -javaagent.

          --pki DIR          test PKI directory (uses DIR/server.p12, password changeit)
          --keystore FILE    any PKCS12 keystore with a key entry aliased "server" instead
          --password P       keystore password (default changeit)
          --port N           port, 0 = any free port (default 8443)
          --exit-on-stdin-eof
                             also stop when standard input reaches end of file, that is when
                             the parent process closes the pipe or dies in any way
        """;
  }

  @Override
  public int run(String[] args) throws Exception {
    Options o =
        Options.parse(
            name(), args, Set.of("pki", "keystore", "password", "port"), Set.of(EXIT_ON_EOF));
    Path keystore = keystore(o);
    int port = o.port("port", 8443);
    return serve(name(), o, kind.start(keystore, password(o), port));
  }

  /** The flag every long-running server command takes; see {@link #serve}. */
  static final String EXIT_ON_EOF = "exit-on-stdin-eof";

  /** The keystore of {@code --pki DIR} or {@code --keystore FILE}. */
  static Path keystore(Options o) throws UsageException {
    if (o.has("pki") == o.has("keystore")) {
      throw new UsageException("give exactly one of --pki DIR or --keystore FILE");
    }
    Path keystore = o.has("pki") ? o.path("pki").resolve("server.p12") : o.path("keystore");
    if (!Files.isRegularFile(keystore)) {
      throw new UsageException("no keystore at " + keystore);
    }
    return keystore;
  }

  static char[] password(Options o) {
    return o.string("password", TestPki.PASSWORD).toCharArray();
  }

  /**
   * Prints the {@link Ready} line and runs {@code started} until SIGTERM / Ctrl-C, or, with {@code
   * --exit-on-stdin-eof}, until standard input ends.
   */
  static int serve(String name, Options o, TestServer started) throws InterruptedException {
    CountDownLatch stop = new CountDownLatch(1);
    try (TestServer server = started) {
      Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, name + "-shutdown"));
      if (o.flag(EXIT_ON_EOF)) {
        Thread watch = new Thread(() -> awaitEof(System.in, stop), name + "-stdin");
        watch.setDaemon(true);
        watch.start();
      }
      Ready.announce(server.port());
      stop.await();
    }
    return 0;
  }

  /** Returns when {@code in} ends or breaks, and then releases {@code stop}. */
  private static void awaitEof(InputStream in, CountDownLatch stop) {
    try {
      while (in.read() >= 0) {
        // nothing is sent; only the end of the stream matters
      }
    } catch (IOException e) {
      // the pipe broke: the parent is gone
    }
    stop.countDown();
  }
}
