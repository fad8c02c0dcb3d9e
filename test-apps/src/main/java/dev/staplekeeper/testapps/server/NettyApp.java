package dev.staplekeeper.testapps.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;

/**
 * A plain Netty 4 HTTPS server (no framework on top) over a PKCS12 keystore on 127.0.0.1, its
 * {@link SslContext} built by {@link SslContextBuilder#forServer(KeyManagerFactory)} with the given
 * provider: {@link SslProvider#JDK} runs JSSE's {@code SSLEngine} (the agent staples), {@link
 * SslProvider#OPENSSL} runs BoringSSL from netty-tcnative (the agent cannot, and says so). No
 * stapling code.
 */
public final class NettyApp implements TestServer {
  private final EventLoopGroup group;
  private final Channel channel;

  private NettyApp(EventLoopGroup group, Channel channel) {
    this.group = group;
    this.channel = channel;
  }

  /** Starts on 127.0.0.1:{@code port} (0 = any free port); returns once listening. */
  public static NettyApp start(Path keystore, char[] password, int port, SslProvider provider)
      throws IOException {
    SslContext ssl = sslContext(keystore, password, provider);
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    try {
      Channel channel =
          new ServerBootstrap()
              .group(group)
              .channel(NioServerSocketChannel.class)
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      ch.pipeline()
                          .addLast(ssl.newHandler(ch.alloc()), new HttpServerCodec(), new Page());
                    }
                  })
              .bind(new InetSocketAddress("127.0.0.1", port))
              .sync()
              .channel();
      return new NettyApp(group, channel);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      group.shutdownGracefully();
      throw new IOException("interrupted while binding", e);
    } catch (RuntimeException e) {
      group.shutdownGracefully();
      throw new IOException("Netty did not start: " + e.getMessage(), e);
    }
  }

  private static SslContext sslContext(Path keystore, char[] password, SslProvider provider)
      throws IOException {
    try (InputStream in = Files.newInputStream(keystore)) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, password);
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, password);
      return SslContextBuilder.forServer(kmf)
          .sslProvider(provider)
          .protocols("TLSv1.3", "TLSv1.2")
          .build();
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot use keystore " + keystore + ": " + e.getMessage(), e);
    }
  }

  @Override
  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    group.shutdownGracefully().syncUninterruptibly();
  }

  /** Answers each request with the one-line page and closes the connection. */
  private static final class Page extends SimpleChannelInboundHandler<HttpObject> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
      if (msg instanceof HttpRequest) {
        byte[] body = String.format(JsseServer.BODY, "netty").getBytes(StandardCharsets.US_ASCII);
        FullHttpResponse response =
            new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        response.headers().set(HttpHeaderNames.CONNECTION, "close");
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
