package dev.staplekeeper.testapps.cli;

import dev.staplekeeper.testapps.server.NettyApp;
import io.netty.handler.ssl.SslProvider;
import java.util.Locale;
import java.util.Set;

/** {@code netty --pki DIR --port N [--provider jdk|openssl]}: a plain Netty HTTPS server. */
public final class NettyCommand implements Command {
  @Override
  public String name() {
    return "netty";
  }

  @Override
  public String summary() {
    return "plain Netty 4 HTTPS (SslContextBuilder, JDK or OpenSSL provider)";
  }

  @Override
  public String help() {
    return "usage: netty (--pki DIR | --keystore FILE [--password P]) [--port N]"
        + " [--provider jdk|openssl]"
        + " [--exit-on-stdin-eof]\n\n"
        + summary()
        + ".\n"
        + """
        Listens on 127.0.0.1 with the PKI's server.p12 and answers every request with HTTP 200
        and a one-line page. Prints "READY port=<port>" on stdout once listening; runs until
        SIGTERM / Ctrl-C. Contains no stapling code. With --provider jdk (the default) TLS is
        JSSE's SSLEngine, which the StapleKeeper agent staples for; with --provider openssl it is
        BoringSSL from netty-tcnative, which the agent cannot patch (it logs a WARNING).

          --pki DIR          test PKI directory (uses DIR/server.p12, password changeit)
          --keystore FILE    any PKCS12 keystore with a key entry aliased "server" instead
          --password P       keystore password (default changeit)
          --port N           port, 0 = any free port (default 8443)
          --provider P       jdk (default) or openssl
          --exit-on-stdin-eof
                             also stop when standard input reaches end of file, that is when
                             the parent process closes the pipe or dies in any way
        """;
  }

  @Override
  public int run(String[] args) throws Exception {
    Options o =
        Options.parse(
            name(),
            args,
            Set.of("pki", "keystore", "password", "port", "provider"),
            Set.of(ServerCommand.EXIT_ON_EOF));
    SslProvider provider =
        switch (o.string("provider", "jdk").toLowerCase(Locale.ROOT)) {
          case "jdk" -> SslProvider.JDK;
          case "openssl" -> SslProvider.OPENSSL;
          default -> throw new UsageException("--provider is jdk or openssl");
        };
    return ServerCommand.serve(
        name(),
        o,
        NettyApp.start(
            ServerCommand.keystore(o), ServerCommand.password(o), o.port("port", 8443), provider));
  }
}
