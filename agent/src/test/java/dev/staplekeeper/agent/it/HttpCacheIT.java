package dev.staplekeeper.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.staplekeeper.agent.testproc.Daemon;
import dev.staplekeeper.agent.testproc.Nginx;
import dev.staplekeeper.testapps.pki.TestPki;
import dev.staplekeeper.testapps.responder.OcspResponder;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The certificate's OCSP URL points at a real caching nginx ({@code proxy_cache}) in front of the
 * real responder. Two forked servers with the packaged agent (JDK 17 and JDK 25) present the same
 * certificate: the first one's RFC 5019 GET fills the cache, the second one's is answered from it
 * (a HIT in nginx's own log, no second responder request), and both staple a response they
 * validated.
 */
class HttpCacheIT {
  @TempDir Path dir;

  @Test
  void aSecondServersGetForTheSameCertificateIsAnsweredFromTheHttpCache() throws Exception {
    Daemon.require("nginx", "nginx-light");
    List<Path> jdks = ServerProcess.jdks();
    int cachePort = Daemon.freePort();
    try (OcspResponder responder = OcspResponder.bind(0)) {
      TestPki pki =
          TestPki.create(dir, URI.create("http://127.0.0.1:" + cachePort + "/ocsp"), false);
      responder.start(pki, Duration.ofMinutes(10));
      Path n = dir.resolve("nginx");
      try (Nginx cache =
          Nginx.start(
              n,
              cachePort,
              "proxy_cache_path "
                  + n.resolve("cache")
                  + " keys_zone=ocsp:1m;\n"
                  + "server { listen 127.0.0.1:"
                  + cachePort
                  + ";\n  location /ocsp {\n    proxy_pass http://127.0.0.1:"
                  + responder.url().getPort()
                  + ";\n    proxy_cache ocsp; proxy_cache_valid 200 1m;\n"
                  // the bundled responder says no-cache; a CA's would send max-age (RFC 5019 6.2)
                  + "    proxy_ignore_headers Cache-Control Expires;\n  }\n}\n")) {
        List<String> args = List.of("-javaagent:" + ServerProcess.agentJar());
        try (ServerProcess first =
            ServerProcess.start(
                "cache-first-" + ServerProcess.jdkName(jdks.get(0)), jdks.get(0), dir, args)) {
          ProxyIT.awaitValidStaple(first, pki, "first server");
          assertThat(cache.accessLog()).contains("GET /ocsp/").contains("cache=MISS");
          assertThat(responder.requestCount()).isEqualTo(1);

          Path second = jdks.get(jdks.size() - 1);
          try (ServerProcess other =
              ServerProcess.start(
                  "cache-second-" + ServerProcess.jdkName(second), second, dir, args)) {
            ProxyIT.awaitValidStaple(other, pki, "second server");
          }
          String log = cache.accessLog();
          assertThat(log).as("nginx access log:\n%s", log).contains("cache=HIT");
          String[] lines = log.strip().split("\n");
          assertThat(lines).allMatch(l -> l.startsWith("GET /ocsp/") && l.contains(" 200 "));
          assertThat(responder.requestCount())
              .as("the second server's request never reached the responder")
              .isEqualTo(1);
        }
      }
    }
  }
}
