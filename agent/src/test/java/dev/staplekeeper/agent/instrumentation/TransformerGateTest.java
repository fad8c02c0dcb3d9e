package dev.staplekeeper.agent.instrumentation;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.instrument.ClassFileTransformer;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TransformerGateTest {
  private static final String TARGET = "javax/net/ssl/SSLContext";
  private static final byte[] ORIGINAL = {1};
  private static final byte[] PATCHED = {2};
  private static final ClassFileTransformer PATCHER =
      new ClassFileTransformer() {
        @Override
        public byte[] transform(
            Module module,
            ClassLoader loader,
            String className,
            Class<?> redefined,
            java.security.ProtectionDomain domain,
            byte[] bytes) {
          return PATCHED;
        }
      };

  @Test
  void otherClassesPassAtOnceWhileTheAgentIsNotReady() throws Exception {
    TransformerGate gate = new TransformerGate(Set.of(TARGET), 10, TimeUnit.SECONDS);
    long t0 = System.nanoTime();
    assertThat(gate.transform(null, null, "java/lang/Foo", null, null, ORIGINAL)).isNull();
    assertThat(gate.transform(null, getClass().getClassLoader(), TARGET, null, null, ORIGINAL))
        .as("same name, not the boot loader's")
        .isNull();
    assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(1));
  }

  @Test
  void aTargetWaitsForTheAgentAndGetsItsTransformer() throws Exception {
    TransformerGate gate = new TransformerGate(Set.of(TARGET), 10, TimeUnit.SECONDS);
    CompletableFuture<byte[]> loading =
        CompletableFuture.supplyAsync(() -> transform(gate, TARGET));
    Thread.sleep(200);
    assertThat(loading).as("still waiting at the gate").isNotDone();
    gate.open(PATCHER);
    assertThat(loading.get(5, TimeUnit.SECONDS)).isEqualTo(PATCHED);
  }

  @Test
  void aFailedStartLetsTargetsLoadUnchanged() throws Exception {
    TransformerGate gate = new TransformerGate(Set.of(TARGET), 10, TimeUnit.SECONDS);
    CompletableFuture<byte[]> loading =
        CompletableFuture.supplyAsync(() -> transform(gate, TARGET));
    Thread.sleep(100);
    gate.fail();
    assertThat(loading.get(5, TimeUnit.SECONDS)).isNull();
    assertThat(gate.isSettled()).isTrue();
  }

  @Test
  void aTargetWaitsAtMostTheLimitThenLoadsUnchanged() throws Exception {
    TransformerGate gate = new TransformerGate(Set.of(TARGET), 300, TimeUnit.MILLISECONDS);
    long t0 = System.nanoTime();
    assertThat(transform(gate, TARGET)).isNull();
    assertThat(System.nanoTime() - t0).isBetween(250_000_000L, 5_000_000_000L);
  }

  @Test
  void thePreparingThreadNeverWaitsForItself() throws Exception {
    TransformerGate gate = new TransformerGate(Set.of(TARGET), 10, TimeUnit.SECONDS);
    gate.preparedBy(Thread.currentThread());
    long t0 = System.nanoTime();
    assertThat(transform(gate, TARGET)).isNull();
    assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(1));
  }

  private static byte[] transform(TransformerGate gate, String name) {
    try {
      return gate.transform(null, null, name, null, null, ORIGINAL);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
