package dev.staplekeeper.containers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Free loopback ports for the servers. */
final class Ports {
  private Ports() {}

  /**
   * A port that was free a moment ago. The server binds it a second later; another process could
   * take it in between, which on a test machine is rare enough to live with.
   */
  static int free() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
