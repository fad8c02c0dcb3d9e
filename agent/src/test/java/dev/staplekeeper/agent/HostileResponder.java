package dev.staplekeeper.agent;

import dev.staplekeeper.testapps.ocsp.OcspResponseFactory;
import dev.staplekeeper.testapps.pki.KeyType;
import dev.staplekeeper.testapps.pki.TestPki;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.BasicOCSPRespBuilder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.RespID;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Whoever answers on the plain-HTTP OCSP path, without any key: a real HTTP/1.1 peer on 127.0.0.1
 * that answers every request with the bytes it is given, and the crafted responses of the
 * hostile-input campaign, built with Bouncy Castle.
 */
public final class HostileResponder implements AutoCloseable {
  /** What the forged line starts with: what operators are told to watch. */
  public static final String FORGED = "SEVERE: StapleKeeper FORGED-LOG-LINE";

  private final ServerSocket server;
  private final Thread acceptor;
  private final AtomicInteger requests = new AtomicInteger();
  private volatile byte[] answer = http(500, "Not Yet", new byte[0]);

  public HostileResponder() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    acceptor = new Thread(this::serve, "hostile-responder");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public int port() {
    return server.getLocalPort();
  }

  public int requests() {
    return requests.get();
  }

  /** Answers HTTP 200 with {@code der} from now on. */
  public void answerOk(byte[] der) {
    answer = http(200, "OK", der);
  }

  /** Answers with exactly these bytes (status line, headers, body) from now on. */
  public void answerRaw(byte[] httpResponse) {
    answer = httpResponse.clone();
  }

  /**
   * A successful response whose responderID is a name holding a line break followed by {@code
   * FORGED}: rejected (no such signer), and its name goes into the rejection.
   */
  public static byte[] forgedResponderName(TestPki pki) throws Exception {
    X500Name name =
        new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, "Evil\n" + FORGED).build();
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    BasicOCSPRespBuilder b = new BasicOCSPRespBuilder(new RespID(name));
    b.addResponse(
        OcspResponseFactory.certId(pki.intermediate(), pki.server().getSerialNumber()),
        CertificateStatus.GOOD,
        Date.from(now),
        Date.from(now.plus(Duration.ofHours(1))),
        null);
    BasicOCSPResp basic =
        b.build(
            new JcaContentSignerBuilder(KeyType.signatureAlgorithmFor(pki.rogueKey()))
                .build(pki.rogueKey()),
            null,
            Date.from(now));
    return OcspResponseFactory.successful(basic);
  }

  /**
   * A validly signed response with {@code count} SingleResponses, none for the server's certificate
   * (about 115 bytes each: 500 make 57 KB).
   */
  public static byte[] manySingles(TestPki pki, int count) {
    List<CertificateID> ids = new ArrayList<>();
    BigInteger serial = pki.server().getSerialNumber();
    for (int i = 1; i <= count; i++) {
      ids.add(OcspResponseFactory.certId(pki.intermediate(), serial.add(BigInteger.valueOf(i))));
    }
    return new OcspResponseFactory(pki).forCertIds(ids).build();
  }

  public static byte[] http(int status, String reason, byte[] body) {
    byte[] head =
        String.format(
                Locale.ROOT,
                "HTTP/1.1 %d %s\r\nContent-Type: application/ocsp-response\r\n"
                    + "Content-Length: %d\r\nConnection: close\r\n\r\n",
                status,
                reason,
                body.length)
            .getBytes(StandardCharsets.ISO_8859_1);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(head);
    out.writeBytes(body);
    return out.toByteArray();
  }

  private void serve() {
    while (!server.isClosed()) {
      try (Socket s = server.accept()) {
        s.setSoTimeout(5000);
        readRequest(s.getInputStream());
        requests.incrementAndGet();
        OutputStream out = s.getOutputStream();
        out.write(answer);
        out.flush();
      } catch (IOException e) {
        // closed, or a client that gave up: next connection
      }
    }
  }

  private static void readRequest(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0) {
      head.append((char) c);
      if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
        break;
      }
    }
    int length = 0;
    for (String line : head.toString().split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    in.readNBytes(length);
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
