package dev.staplekeeper.agent.instrumentation;

import dev.staplekeeper.agent.bootstrap.StapleBridge;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/**
 * The bytecode StapleKeeper adds to JDK classes: nothing but a call to a static method of {@link
 * StapleBridge}, at a method's entry or before its normal returns. Plain ASM on the class file,
 * with no analysis of the method (no frames computed, no class loaded): the cold cost is a few ASM
 * classes, not a code-generation library.
 *
 * <p>Contract: {@link #apply} returns the class file with every matching method patched, or null
 * when no method matched (the class is then left as it is). The bridge methods catch every {@code
 * Throwable} of their own, so the added calls cannot throw into the JDK's code; each returns what
 * makes the JDK behave as without StapleKeeper when no agent is connected.
 */
public final class BridgeCalls {
  private static final String BRIDGE = Type.getInternalName(StapleBridge.class);
  private static final String OBJECT = "java/lang/Object";
  private static final String CHAIN = Type.getDescriptor(X509Certificate[].class);
  private static final String KEY_MANAGERS = Type.getDescriptor(KeyManager[].class);

  /** Which methods a patch touches, and what it adds to each. */
  private interface MethodPatch {
    /** The patching visitor for this method, or null to leave it. */
    MethodVisitor patch(MethodVisitor method, int access, String name, String descriptor);
  }

  private final MethodPatch[] patches;

  private BridgeCalls(MethodPatch... patches) {
    this.patches = patches;
  }

  /**
   * {@code StatusResponseManager.get(type, request, chain, delay, unit)}: at entry, {@code
   * StapleBridge.responses(type, chain)}; a non-null map is returned at once, null runs the JDK's
   * code.
   */
  public static BridgeCalls statusResponseManagerGet() {
    return new BridgeCalls(
        (mv, access, name, desc) -> {
          Type[] args = Type.getArgumentTypes(desc);
          if (!name.equals("get")
              || (access & Opcodes.ACC_STATIC) != 0
              || args.length != 5
              || !args[2].getDescriptor().equals(CHAIN)
              || !args[4].equals(Type.getType(TimeUnit.class))
              || !Type.getReturnType(desc).equals(Type.getType(Map.class))) {
            return null;
          }
          int typeSlot = 1;
          int chainSlot = 1 + args[0].getSize() + args[1].getSize();
          return new MethodVisitor(Opcodes.ASM9, mv) {
            @Override
            public void visitCode() {
              super.visitCode();
              Label jdkCode = new Label();
              super.visitVarInsn(Opcodes.ALOAD, typeSlot);
              super.visitVarInsn(Opcodes.ALOAD, chainSlot);
              super.visitMethodInsn(
                  Opcodes.INVOKESTATIC,
                  BRIDGE,
                  "responses",
                  "(L" + OBJECT + ";" + CHAIN + ")Ljava/util/Map;",
                  false);
              super.visitInsn(Opcodes.DUP);
              super.visitJumpInsn(Opcodes.IFNULL, jdkCode);
              super.visitInsn(Opcodes.ARETURN);
              super.visitLabel(jdkCode);
              // the method's own locals (its arguments), the null map on the stack
              super.visitFrame(Opcodes.F_SAME1, 0, null, 1, new Object[] {"java/util/Map"});
              super.visitInsn(Opcodes.POP);
            }
          };
        });
  }

  /**
   * {@code SSLContext.init(keyManagers, trustManagers, random)}: on return, {@code
   * StapleBridge.contextInitialized(keyManagers)}.
   */
  public static BridgeCalls sslContextInit() {
    String desc =
        "(" + KEY_MANAGERS + "[Ljavax/net/ssl/TrustManager;Ljava/security/SecureRandom;)V";
    return new BridgeCalls(
        (mv, access, name, d) ->
            name.equals("init") && d.equals(desc) && (access & Opcodes.ACC_PUBLIC) != 0
                ? beforeReturn(
                    mv,
                    Opcodes.RETURN,
                    m -> {
                      m.visitVarInsn(Opcodes.ALOAD, 1);
                      m.visitMethodInsn(
                          Opcodes.INVOKESTATIC,
                          BRIDGE,
                          "contextInitialized",
                          "(" + KEY_MANAGERS + ")V",
                          false);
                    })
                : null);
  }

  /**
   * {@code SSLContextImpl}: {@code isStaplingEnabled(client)} also answers true for a server
   * context when StapleKeeper switched server stapling on, and {@code getStatusResponseManager()}
   * returns StapleKeeper's manager where the JDK has none.
   */
  public static BridgeCalls serverStaplingSwitch(String statusResponseManager) {
    String managerDesc = "()L" + statusResponseManager.replace('.', '/') + ";";
    return new BridgeCalls(
        (mv, access, name, desc) ->
            name.equals("isStaplingEnabled") && desc.equals("(Z)Z")
                ? beforeReturn(
                    mv,
                    Opcodes.IRETURN,
                    m -> {
                      m.visitVarInsn(Opcodes.ILOAD, 1);
                      m.visitInsn(Opcodes.SWAP);
                      m.visitMethodInsn(
                          Opcodes.INVOKESTATIC, BRIDGE, "staplingEnabled", "(ZZ)Z", false);
                    })
                : null,
        (mv, access, name, desc) ->
            name.equals("getStatusResponseManager") && desc.equals(managerDesc)
                ? beforeReturn(
                    mv,
                    Opcodes.ARETURN,
                    m -> {
                      m.visitMethodInsn(
                          Opcodes.INVOKESTATIC,
                          BRIDGE,
                          "statusResponseManager",
                          "(L" + OBJECT + ";)L" + OBJECT + ";",
                          false);
                      m.visitTypeInsn(
                          Opcodes.CHECKCAST, Type.getReturnType(desc).getInternalName());
                    })
                : null);
  }

  /** The class file with the matching methods patched, or null when no method matched. */
  public byte[] apply(byte[] classFile) {
    ClassReader reader = new ClassReader(classFile);
    ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
    boolean[] matched = {false};
    reader.accept(
        new ClassVisitor(Opcodes.ASM9, writer) {
          @Override
          public MethodVisitor visitMethod(
              int access, String name, String desc, String signature, String[] exceptions) {
            MethodVisitor mv = super.visitMethod(access, name, desc, signature, exceptions);
            if ((access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0) {
              return mv;
            }
            for (MethodPatch p : patches) {
              MethodVisitor patched = p.patch(mv, access, name, desc);
              if (patched != null) {
                matched[0] = true;
                return patched;
              }
            }
            return mv;
          }
        },
        0);
    return matched[0] ? writer.toByteArray() : null;
  }

  /** Emits the added instructions before each return instruction {@code opcode}. */
  private interface Insertion {
    void emit(MethodVisitor method);
  }

  private static MethodVisitor beforeReturn(MethodVisitor mv, int opcode, Insertion insertion) {
    return new MethodVisitor(Opcodes.ASM9, mv) {
      @Override
      public void visitInsn(int op) {
        if (op == opcode) {
          insertion.emit(mv);
        }
        super.visitInsn(op);
      }
    };
  }
}
