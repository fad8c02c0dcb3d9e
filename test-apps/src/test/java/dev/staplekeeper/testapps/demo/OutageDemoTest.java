package dev.staplekeeper.testapps.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.staplekeeper.testapps.process.ChildJvm;
import dev.staplekeeper.testapps.server.TestServer;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo with real processes: the quick scenario end to end (two Jetty child JVMs, in-process
 * responders and client), SIGTERM while it runs, and servers that exit when the demo vanishes.
 *
 * <p>test-apps cannot depend on the agent (the agent depends on test-apps), so these runs use two
 * stock servers; {@code container-tests}' {@code DemoIT} runs the same quick demo with the built
 * agent.
 */
class OutageDemoTest {
  private static final String JAVA =
      Path.of(System.getProperty("java.home"), "bin", "java").toString();

  @TempDir Path work;

  private record Run(OutageDemo demo, Result result, String output) {}

  private Run quickRun(Path agentJar) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(new Tee(bytes, System.out), true, StandardCharsets.UTF_8);
    OutageDemo demo =
        new OutageDemo(
            new OutageDemo.Config(
                agentJar,
                Scenario.quick(),
                DemoApp.testApps(TestServer.Kind.JETTY),
                JAVA,
                work,
                false),
            out);
    Result result = demo.run();
    return new Run(demo, result, bytes.toString(StandardCharsets.UTF_8));
  }

  @Test
  @Timeout(120)
  void quickRunWithTwoStockServers() throws Exception {
    Run run = quickRun(null);
    Result r = run.result();
    String out = run.output();

    assertThat(r.complete()).isTrue();
    assertThat(out)
        .contains("[1/4]", "[2/4]", "[3/4]", "[4/4]")
        .contains("STOCK JDK #1", "STOCK JDK #2")
        .contains("-- phase 1/5, 3 s: healthy", "-- phase 4/5, 7 s: hang")
        .contains("Stopping the servers")
        .doesNotContain("-javaagent");
    assertThat(out.lines().filter(l -> l.matches(" \\d:\\d\\d  \\S.*"))).hasSize(21);

    for (int s = 0; s < 2; s++) {
      Result.Stats healthy = r.stats(s, 0);
      assertThat(healthy.handshakes()).isPositive();
      assertThat(healthy.valid()).as("stapled while healthy").isEqualTo(healthy.handshakes());
      // the JDK keeps a response for jdk.tls.stapling.cacheLifetime (2 s), then asks again
      Result.Stats fault = r.faultStats(s);
      assertThat(fault.valid()).as("stock JDK loses the staple").isLessThan(fault.handshakes());
      assertThat(r.stats(s, 2).ocspRequests()).as("asks while unauthorized").isPositive();
      assertThat(r.stats(s, 3).maxMillis())
          .as("a hanging responder holds the handshake for responseTimeout")
          .isGreaterThanOrEqualTo(4_000);
      assertThat(r.samples().get(s).get(r.samples().get(s).size() - 1).valid())
          .as("stapled again once the responder is back")
          .isTrue();
      assertThat(r.samples().get(s)).noneMatch(Sample::failed);
    }
    Path picture = run.demo().timelinePicture();
    assertThat(picture).isEqualTo(work.resolve("timeline.svg"));
    assertThat(out).contains("Timeline picture (SVG): " + picture);
    TimelinePicture.Content content = TimelinePicture.read(picture);
    assertThat(content.phases()).hasSize(5);
    assertThat(content.rows())
        .extracting(TimelinePicture.Row::label)
        .containsExactly("STOCK JDK #1", "STOCK JDK #2");
    for (int s = 0; s < 2; s++) {
      TimelinePicture.Row row = content.rows().get(s);
      assertThat(row.states()).as("a staple cell per second").hasSize(21);
      assertThat(row.states()).contains("valid", "none");
      assertThat(row.latencyMillis())
          .as("a latency bar per handshake")
          .hasSize(r.samples().get(s).size())
          .anyMatch(ms -> ms >= 4_000);
    }
    assertAllStopped(run.demo().childPids());
  }

  @Test
  @Timeout(90)
  void sigtermStopsTheDemoAndEveryServer() throws Exception {
    Process demo =
        new ProcessBuilder(
                JAVA,
                "-cp",
                System.getProperty("java.class.path"),
                "dev.staplekeeper.testapps.Main",
                "demo",
                "--no-agent",
                "--quick",
                "--work",
                work.toString())
            .redirectErrorStream(true)
            .start();
    StringBuilder output = new StringBuilder();
    CompletableFuture<Void> inDown = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(demo.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                  synchronized (output) {
                    output.append(line).append('\n');
                  }
                  if (line.contains("down           2/5")) {
                    inDown.complete(null);
                  }
                }
              } catch (IOException e) {
                // process gone
              }
              inDown.complete(null);
            });
    reader.start();
    List<ProcessHandle> servers;
    try {
      inDown.get(60, TimeUnit.SECONDS);
      servers = demo.descendants().toList();
      assertThat(servers).as("the two server JVMs").hasSize(2);
      // SIGTERM, like the kill that demo.sh forwards on Ctrl-C (Process.destroy() would also
      // close our end of the demo's stdout, and its last lines would be lost)
      demo.toHandle().destroy();
      assertThat(demo.waitFor(30, TimeUnit.SECONDS)).as("demo exits").isTrue();
    } finally {
      demo.destroyForcibly();
    }
    reader.join(5_000);
    String out;
    synchronized (output) {
      out = output.toString();
    }
    assertThat(out)
        .contains("Interrupted: stopping every process the demo started.")
        .contains("Summary of the")
        .contains("Stopped.")
        .doesNotContain("demo failed");
    assertAllStopped(servers.stream().map(ProcessHandle::pid).toList());
  }

  @Test
  @Timeout(60)
  void aServerExitsWhenTheDemoGoesAway() throws Exception {
    // what happens to the servers when the demo is killed with SIGKILL: their stdin closes
    Path keystore = work.resolve("pki");
    dev.staplekeeper.testapps.pki.TestPki pki =
        dev.staplekeeper.testapps.pki.TestPki.create(
            keystore, java.net.URI.create("http://127.0.0.1:9/ocsp"), false);
    ChildJvm server =
        ChildJvm.javaExecutable(JAVA)
            .name("server")
            .main(
                System.getProperty("java.class.path"),
                ChildJvm.TEST_APPS_MAIN,
                List.of(
                    "jsse-server",
                    "--keystore",
                    pki.keystore().toString(),
                    "--port",
                    "0",
                    "--exit-on-stdin-eof"))
            .log(work.resolve("server.log"))
            .launch();
    try {
      assertThat(server.awaitReady(Duration.ofSeconds(30))).isPositive();
      ProcessHandle handle = ProcessHandle.of(server.pid()).orElseThrow();
      server.stdin().close(); // what the kernel does when the demo dies, even by SIGKILL
      assertThat(handle.onExit().get(15, TimeUnit.SECONDS).isAlive()).isFalse();
    } finally {
      server.close();
    }
  }

  private static void assertAllStopped(List<Long> pids) throws Exception {
    assertThat(pids).isNotEmpty();
    List<ProcessHandle> alive = new ArrayList<>();
    for (long pid : pids) {
      ProcessHandle.of(pid).ifPresent(alive::add);
    }
    for (ProcessHandle h : alive) {
      h.onExit().get(10, TimeUnit.SECONDS);
    }
    assertThat(pids)
        .noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
  }

  /** Writes to two streams. */
  private static final class Tee extends OutputStream {
    private final OutputStream a;
    private final OutputStream b;

    Tee(OutputStream a, OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int c) throws IOException {
      a.write(c);
      b.write(c);
    }

    @Override
    public void write(byte[] buf, int off, int len) throws IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }

    @Override
    public void flush() throws IOException {
      a.flush();
      b.flush();
    }
  }
}
