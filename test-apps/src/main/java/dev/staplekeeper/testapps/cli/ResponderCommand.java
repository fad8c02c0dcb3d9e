package dev.staplekeeper.testapps.cli;

import dev.staplekeeper.testapps.ocsp.OcspResponseFactory.Signer;
import dev.staplekeeper.testapps.pki.TestPki;
import dev.staplekeeper.testapps.process.Ready;
import dev.staplekeeper.testapps.responder.FaultMode;
import dev.staplekeeper.testapps.responder.OcspResponder;
import dev.staplekeeper.testapps.responder.ResponderControl;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/** {@code responder --pki DIR [--port N] [--control-port M] ...}: the OCSP responder process. */
public final class ResponderCommand implements Command {
  @Override
  public String name() {
    return "responder";
  }

  @Override
  public String summary() {
    return "run the fault-injecting OCSP responder with an HTTP control endpoint";
  }

  @Override
  public String help() {
    StringBuilder modes = new StringBuilder();
    for (FaultMode m : FaultMode.values()) {
      modes.append(String.format("  %-18s %s%n", m.cliName(), m.description()));
    }
    return """
        usage: responder --pki DIR [--port N] [--control-port M] [--validity 120s]
                         [--mode healthy] [--signer delegated|issuer] [--slow 3s]
                         [--create [--must-staple]]

        Answers OCSP requests (POST /ocsp, GET /ocsp/<base64>) on 127.0.0.1 for the certificates
        issued by the PKI's intermediate CA. Prints "READY port=<port> ocsp=<url> control=<port>"
        on stdout once listening; one log line per request on stderr. Stops on SIGTERM / Ctrl-C
        or GET /shutdown on the control port.

          --pki DIR          test PKI directory (see 'pki')
          --port N           OCSP port; default: the port of the server certificate's AIA URL
          --control-port M   control endpoint port (default 0 = any free port)
          --validity D       nextUpdate - thisUpdate of good responses (default 120s)
          --mode MODE        initial fault mode (default healthy)
          --signer S         delegated (default) or issuer
          --slow D           delay of the slow mode (default 3s)
          --create           create the PKI in DIR if there is none, with this responder's URL
          --must-staple      with --create: Must-Staple server certificate

        Control endpoint (HTTP GET on 127.0.0.1:M):
          /mode              current mode          /mode?set=MODE     switch mode
          /count             requests so far       /count?reset       reset (prints old count)
          /signer?set=S      switch signer         /validity?set=D    change validity
          /slow?set=D        change slow delay     /shutdown          stop the process
          /raw?set=BASE64    serve exactly these bytes from now on (mode raw; or POST /raw)

        Durations (options and control endpoint): 500ms, 120s, 2m, 1h, 1d or ISO-8601 (PT2M).
        Fault modes:
        """
        + modes;
  }

  @Override
  public int run(String[] args) throws Exception {
    Options o =
        Options.parse(
            name(),
            args,
            Set.of("pki", "port", "control-port", "validity", "mode", "signer", "slow"),
            Set.of("create", "must-staple"));
    Path dir = o.path("pki");
    Duration validity = positive(o, "validity", OcspResponder.DEFAULT_VALIDITY);
    FaultMode mode = mode(o.string("mode", "healthy"));
    Signer signer = signer(o.string("signer", "delegated"));
    Duration slow = o.duration("slow", OcspResponder.DEFAULT_SLOW_DELAY);
    int controlPort = o.port("control-port", 0);
    if (o.flag("must-staple") && !o.flag("create")) {
      throw new UsageException("--must-staple only goes with --create");
    }

    TestPki pki;
    OcspResponder responder;
    if (TestPki.exists(dir)) {
      pki = TestPki.load(dir);
      URI aia = pki.ocspUrl();
      int aiaPort = aia == null ? -1 : aia.getPort();
      int port = o.port("port", aiaPort);
      if (port < 0) {
        throw new UsageException("--port is needed: the server certificate has no OCSP URL port");
      }
      if (port != aiaPort) {
        System.err.println(
            "warning: --port " + port + " differs from the server certificate's OCSP URL " + aia);
      }
      responder = OcspResponder.bind(port);
    } else if (o.flag("create")) {
      responder = OcspResponder.bind(o.port("port", 0));
      pki = TestPki.create(dir, responder.url(), o.flag("must-staple"));
    } else {
      throw new UsageException(
          "no test PKI in " + dir + " (create one with 'pki' or use --create)");
    }

    CountDownLatch stop = new CountDownLatch(1);
    ResponderControl control = null;
    try {
      responder.signer(signer);
      responder.slowDelay(slow);
      responder.start(pki, validity);
      responder.mode(mode);
      control = ResponderControl.start(responder, controlPort, stop::countDown);
      Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "responder-shutdown"));
      Map<String, String> fields = new LinkedHashMap<>();
      fields.put("ocsp", responder.url().toString());
      fields.put("control", Integer.toString(control.port()));
      Ready.announce(System.out, responder.port(), fields);
      stop.await();
    } finally {
      if (control != null) {
        control.close();
      }
      responder.close();
    }
    return 0;
  }

  static FaultMode mode(String text) {
    try {
      return FaultMode.parse(text);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  static Signer signer(String text) {
    try {
      return ResponderControl.parseSigner(text);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--" + e.getMessage());
    }
  }

  private static Duration positive(Options o, String name, Duration fallback) {
    Duration d = o.duration(name, fallback);
    if (d.isZero() || d.isNegative()) {
      throw new UsageException("--" + name + " must be positive");
    }
    return d;
  }
}
