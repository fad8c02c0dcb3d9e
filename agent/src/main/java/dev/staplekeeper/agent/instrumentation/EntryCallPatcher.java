package dev.staplekeeper.agent.instrumentation;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Adds {@link EntryCall}s to a class file: a few instructions at the entry of a method, in front of
 * its own code, which is moved, not changed. Written for the JDK's own class files (javac output,
 * version 50 and later with a {@code StackMapTable}), without a bytecode library: the cold cost at
 * start-up is this one class, where ASM's reader and writer re-encode the whole class.
 *
 * <p>Contract:
 *
 * <ul>
 *   <li>{@link #apply} returns the class file with every method that matches a call (exact name and
 *       descriptor, not static, with code) patched, or null when none matched. Everything else is
 *       copied byte for byte; new constants are appended to the constant pool.
 *   <li>The added code is padded with {@code nop} to a multiple of 4 bytes, so that the moved
 *       code's {@code tableswitch}/{@code lookupswitch} alignment and relative branches stay valid;
 *       every code offset the method's attributes hold is moved with it: the exception table, the
 *       {@code StackMapTable} (with a frame for the added branch target, and {@code Uninitialized}
 *       types), {@code LineNumberTable}, {@code LocalVariableTable} and {@code
 *       LocalVariableTypeTable}.
 *   <li>A class file it cannot edit with certainty (a malformed or truncated one, an unknown
 *       constant tag, another attribute in the patched method's code, a method that would grow past
 *       the JVM's limits) throws {@link IllegalArgumentException} saying why; nothing is returned
 *       half-patched.
 * </ul>
 *
 * <p>The JDK loads its own classes without verifying them, so tests define the patched JDK classes
 * in a verifying class loader and run the agent with {@code -XX:+BytecodeVerificationLocal}.
 */
final class EntryCallPatcher {
  private static final int ACC_STATIC = 0x0008;
  private static final int ACC_NATIVE = 0x0100;
  private static final int ACC_ABSTRACT = 0x0400;

  private static final int NOP = 0x00;
  private static final int ICONST_1 = 0x04;
  private static final int ILOAD = 0x15;
  private static final int ALOAD = 0x19;
  private static final int ILOAD_0 = 0x1a;
  private static final int ALOAD_0 = 0x2a;
  private static final int POP = 0x57;
  private static final int DUP = 0x59;
  private static final int IFEQ = 0x99;
  private static final int IRETURN = 0xac;
  private static final int ARETURN = 0xb0;
  private static final int INVOKESTATIC = 0xb8;
  private static final int CHECKCAST = 0xc0;
  private static final int IFNULL = 0xc6;

  private static final int SAME_LOCALS_1_STACK_ITEM = 64;
  private static final int SAME_LOCALS_1_STACK_ITEM_EXTENDED = 247;
  private static final int SAME_FRAME_EXTENDED = 251;
  private static final int FULL_FRAME = 255;
  private static final int ITEM_OBJECT = 7;
  private static final int ITEM_UNINITIALIZED = 8;

  private final byte[] in;
  private final String bridge;
  private final List<EntryCall> calls;
  private final ByteArrayOutputStream added = new ByteArrayOutputStream();
  private final Map<String, Integer> addedIndex = new HashMap<>();
  private int[] constantOffsets;
  private int nextConstant;

  private EntryCallPatcher(byte[] classFile, String bridgeInternalName, List<EntryCall> calls) {
    this.in = classFile;
    this.bridge = bridgeInternalName;
    this.calls = calls;
  }

  /**
   * {@code classFile} with {@code calls} added, calling static methods of {@code
   * bridgeInternalName}; null when no method matched.
   */
  static byte[] apply(byte[] classFile, String bridgeInternalName, List<EntryCall> calls) {
    try {
      return new EntryCallPatcher(classFile, bridgeInternalName, calls).patch();
    } catch (IndexOutOfBoundsException e) {
      throw new IllegalArgumentException("truncated class file", e);
    }
  }

  private byte[] patch() {
    if (u4(0) != 0xCAFEBABE) {
      throw new IllegalArgumentException("not a class file");
    }
    int constantCount = u2(8);
    int pos = readConstantPool(constantCount);
    nextConstant = constantCount;
    int poolEnd = pos;
    pos += 6; // access, this, super
    pos += 2 + 2 * u2(pos); // interfaces
    pos = skipMembers(pos); // fields
    int methodCount = u2(pos);
    pos += 2;
    // the output after the constant pool: unchanged runs of the input and replaced Code attributes
    List<int[]> keep = new ArrayList<>();
    List<byte[]> replacements = new ArrayList<>();
    int copiedUpTo = poolEnd;
    for (int m = 0; m < methodCount; m++) {
      int access = u2(pos);
      EntryCall call = matching(u2(pos + 2), u2(pos + 4));
      int attributes = u2(pos + 6);
      pos += 8;
      for (int a = 0; a < attributes; a++) {
        int length = length(pos + 2);
        if (call != null && utf8Equals(u2(pos), "Code")) {
          if ((access & (ACC_STATIC | ACC_NATIVE | ACC_ABSTRACT)) != 0) {
            throw new IllegalArgumentException("not an instance method with code: " + call);
          }
          keep.add(new int[] {copiedUpTo, pos});
          replacements.add(patchedCode(pos, call));
          copiedUpTo = pos + 6 + length;
        }
        pos += 6 + length;
      }
    }
    int classAttributes = u2(pos);
    pos += 2;
    for (int a = 0; a < classAttributes; a++) {
      pos += 6 + length(pos + 2);
    }
    if (pos != in.length) {
      throw new IllegalArgumentException("class file does not end after its attributes");
    }
    if (replacements.isEmpty()) {
      return null;
    }
    if (nextConstant > 0xFFFF) {
      throw new IllegalArgumentException("constant pool full");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(in.length + 256);
    out.write(in, 0, 8);
    writeU2(out, nextConstant);
    out.write(in, 10, poolEnd - 10);
    byte[] constants = added.toByteArray();
    out.write(constants, 0, constants.length);
    for (int i = 0; i < keep.size(); i++) {
      out.write(in, keep.get(i)[0], keep.get(i)[1] - keep.get(i)[0]);
      out.write(replacements.get(i), 0, replacements.get(i).length);
    }
    out.write(in, copiedUpTo, in.length - copiedUpTo);
    return out.toByteArray();
  }

  /** The call for the method named by these constants, or null. */
  private EntryCall matching(int nameIndex, int descriptorIndex) {
    for (EntryCall c : calls) {
      if (utf8Equals(nameIndex, c.method) && utf8Equals(descriptorIndex, c.descriptor)) {
        return c;
      }
    }
    return null;
  }

  /** The whole Code attribute at {@code at}, with {@code call} in front of the method's code. */
  private byte[] patchedCode(int at, EntryCall call) {
    int maxStack = u2(at + 6);
    int maxLocals = u2(at + 8);
    int codeLength = length(at + 10);
    int codeStart = at + 14;
    Prologue prologue = prologue(call);
    int shift = prologue.code.length;
    if (codeLength + shift > 0xFFFF) {
      throw new IllegalArgumentException("method too long to patch: " + call);
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream(codeLength + 256);
    writeU2(body, Math.max(maxStack, prologue.maxStack));
    writeU2(body, maxLocals);
    writeU4(body, codeLength + shift);
    body.write(prologue.code, 0, shift);
    body.write(in, codeStart, codeLength);
    int pos = codeStart + codeLength;
    int handlers = u2(pos);
    writeU2(body, handlers);
    pos += 2;
    for (int h = 0; h < handlers; h++, pos += 8) {
      writeU2(body, u2(pos) + shift);
      writeU2(body, u2(pos + 2) + shift);
      writeU2(body, u2(pos + 4) + shift);
      writeU2(body, u2(pos + 6));
    }
    int attributes = u2(pos);
    pos += 2;
    boolean hasFrames = false;
    ByteArrayOutputStream attributeBytes = new ByteArrayOutputStream();
    for (int a = 0; a < attributes; a++) {
      int name = u2(pos);
      int length = length(pos + 2);
      int data = pos + 6;
      byte[] moved;
      if (utf8Equals(name, "StackMapTable")) {
        hasFrames = true;
        moved = frames(data, length, shift, prologue);
      } else if (utf8Equals(name, "LineNumberTable")) {
        moved = movedTable(data, length, 4, shift);
      } else if (utf8Equals(name, "LocalVariableTable")
          || utf8Equals(name, "LocalVariableTypeTable")) {
        moved = movedTable(data, length, 10, shift);
      } else {
        throw new IllegalArgumentException(
            "cannot move attribute " + utf8(name) + " of the code of " + call);
      }
      writeU2(attributeBytes, name);
      writeU4(attributeBytes, moved.length);
      attributeBytes.write(moved, 0, moved.length);
      pos = data + length;
    }
    if (!hasFrames && prologue.frameAt >= 0) {
      byte[] frame = frames(-1, 0, shift, prologue);
      writeU2(attributeBytes, utf8Constant("StackMapTable"));
      writeU4(attributeBytes, frame.length);
      attributeBytes.write(frame, 0, frame.length);
      attributes++;
    }
    if (pos != at + 6 + length(at + 2)) {
      throw new IllegalArgumentException("malformed Code attribute of " + call);
    }
    writeU2(body, attributes);
    byte[] rest = attributeBytes.toByteArray();
    body.write(rest, 0, rest.length);
    byte[] bodyBytes = body.toByteArray();
    ByteArrayOutputStream code = new ByteArrayOutputStream(bodyBytes.length + 6);
    writeU2(code, u2(at));
    writeU4(code, bodyBytes.length);
    code.write(bodyBytes, 0, bodyBytes.length);
    return code.toByteArray();
  }

  /** The added instructions, and where their one branch lands (its frame), if they branch. */
  private static final class Prologue {
    final byte[] code;
    final int maxStack;
    final int frameAt;
    final int stackItemClass;

    Prologue(byte[] code, int maxStack, int frameAt, int stackItemClass) {
      this.code = code;
      this.maxStack = maxStack;
      this.frameAt = frameAt;
      this.stackItemClass = stackItemClass;
    }
  }

  private Prologue prologue(EntryCall call) {
    ByteArrayOutputStream code = new ByteArrayOutputStream(32);
    String[] loads = call.loads.isEmpty() ? new String[0] : call.loads.split(" ");
    for (String load : loads) {
      int slot = Integer.parseInt(load.substring(1));
      boolean reference = load.charAt(0) == 'A';
      if (!reference && load.charAt(0) != 'I' || slot > 0xFF) {
        throw new IllegalArgumentException("bad load " + load + " in " + call);
      }
      if (slot <= 3) {
        code.write((reference ? ALOAD_0 : ILOAD_0) + slot);
      } else {
        code.write(reference ? ALOAD : ILOAD);
        code.write(slot);
      }
    }
    code.write(INVOKESTATIC);
    writeU2(code, methodConstant(call.bridgeMethod, call.bridgeDescriptor));
    String returned = call.bridgeDescriptor.substring(call.bridgeDescriptor.indexOf(')') + 1);
    int maxStack = Math.max(loads.length, 1);
    int frameAt = -1;
    int stackItem = 0;
    if (call.kind == EntryCall.Kind.CALL) {
      if (!returned.equals("V")) {
        throw new IllegalArgumentException("a CALL bridge method returns void: " + call);
      }
    } else if (call.kind == EntryCall.Kind.RETURN_IF_NOT_NULL) {
      String methodReturns = call.descriptor.substring(call.descriptor.indexOf(')') + 1);
      if (!returned.startsWith("L") || !methodReturns.startsWith("L")) {
        throw new IllegalArgumentException("bridge method and method return objects: " + call);
      }
      boolean cast = !methodReturns.equals(returned);
      maxStack = Math.max(maxStack, 2);
      stackItem = classConstant(returned.substring(1, returned.length() - 1));
      code.write(DUP);
      code.write(IFNULL);
      writeU2(code, 3 + (cast ? 3 : 0) + 1); // to the POP
      if (cast) {
        code.write(CHECKCAST);
        writeU2(code, classConstant(methodReturns.substring(1, methodReturns.length() - 1)));
      }
      code.write(ARETURN);
      frameAt = code.size();
      code.write(POP);
    } else { // RETURN_TRUE_IF_TRUE
      if (!returned.equals("Z") || !call.descriptor.endsWith(")Z")) {
        throw new IllegalArgumentException("bridge method and method return boolean: " + call);
      }
      code.write(IFEQ);
      writeU2(code, 3 + 1 + 1); // to the NOP
      code.write(ICONST_1);
      code.write(IRETURN);
      frameAt = code.size();
      code.write(NOP);
    }
    while (code.size() % 4 != 0) {
      code.write(NOP);
    }
    return new Prologue(code.toByteArray(), maxStack, frameAt, stackItem);
  }

  /**
   * The StackMapTable at {@code data} (or none, at -1) for code moved by {@code shift}: the
   * prologue's frame first, then the method's own frames, the first one's offset re-encoded.
   */
  private byte[] frames(int data, int length, int shift, Prologue prologue) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int count = data < 0 ? 0 : u2(data);
    writeU2(out, count + (prologue.frameAt >= 0 ? 1 : 0));
    if (prologue.frameAt >= 0) {
      if (prologue.stackItemClass != 0) {
        out.write(SAME_LOCALS_1_STACK_ITEM + prologue.frameAt);
        out.write(ITEM_OBJECT);
        writeU2(out, prologue.stackItemClass);
      } else {
        out.write(prologue.frameAt); // same_frame
      }
    }
    int pos = data + 2;
    for (int f = 0; f < count; f++) {
      int type = u1(pos++);
      int delta;
      if (type < 64) {
        delta = type;
      } else if (type < 128) {
        delta = type - 64;
      } else if (type >= SAME_LOCALS_1_STACK_ITEM_EXTENDED) {
        delta = u2(pos);
        pos += 2;
      } else {
        throw new IllegalArgumentException("reserved stack map frame type " + type);
      }
      if (f == 0) {
        // the first frame's delta is its offset; after the prologue's frame, it counts from there
        delta += shift;
        if (prologue.frameAt >= 0) {
          delta -= prologue.frameAt + 1;
        }
      }
      boolean oneStackItem = type >= 64 && type < 128 || type == SAME_LOCALS_1_STACK_ITEM_EXTENDED;
      if (type < 128 || type == SAME_LOCALS_1_STACK_ITEM_EXTENDED || type == SAME_FRAME_EXTENDED) {
        if (delta < 64) {
          out.write(oneStackItem ? SAME_LOCALS_1_STACK_ITEM + delta : delta);
        } else {
          out.write(oneStackItem ? SAME_LOCALS_1_STACK_ITEM_EXTENDED : SAME_FRAME_EXTENDED);
          writeU2(out, delta);
        }
        if (oneStackItem) {
          pos = copyType(pos, shift, out);
        }
      } else {
        out.write(type);
        writeU2(out, delta);
        if (type == FULL_FRAME) {
          for (int list = 0; list < 2; list++) {
            int n = u2(pos);
            writeU2(out, n);
            pos += 2;
            for (int i = 0; i < n; i++) {
              pos = copyType(pos, shift, out);
            }
          }
        } else if (type > SAME_FRAME_EXTENDED) { // append
          for (int i = 0; i < type - SAME_FRAME_EXTENDED; i++) {
            pos = copyType(pos, shift, out);
          }
        } // chop: nothing more
      }
    }
    if (data >= 0 && pos != data + length) {
      throw new IllegalArgumentException("malformed StackMapTable");
    }
    return out.toByteArray();
  }

  /** Copies one verification_type_info, moving an Uninitialized type's offset. */
  private int copyType(int pos, int shift, ByteArrayOutputStream out) {
    int tag = u1(pos);
    out.write(tag);
    if (tag == ITEM_OBJECT) {
      writeU2(out, u2(pos + 1));
      return pos + 3;
    }
    if (tag == ITEM_UNINITIALIZED) {
      writeU2(out, u2(pos + 1) + shift);
      return pos + 3;
    }
    if (tag > ITEM_UNINITIALIZED) {
      throw new IllegalArgumentException("unknown verification type " + tag);
    }
    return pos + 1;
  }

  /** A table of {@code entrySize}-byte entries, each starting with a code offset. */
  private byte[] movedTable(int data, int length, int entrySize, int shift) {
    int n = u2(data);
    if (length != 2 + n * entrySize) {
      throw new IllegalArgumentException("malformed code attribute table");
    }
    byte[] out = Arrays.copyOfRange(in, data, data + length);
    for (int p = 2; p < length; p += entrySize) {
      int pc = u2(data + p) + shift;
      out[p] = (byte) (pc >>> 8);
      out[p + 1] = (byte) pc;
    }
    return out;
  }

  private int readConstantPool(int count) {
    constantOffsets = new int[count];
    int pos = 10;
    for (int i = 1; i < count; i++) {
      constantOffsets[i] = pos;
      int tag = u1(pos);
      switch (tag) {
        case 1: // Utf8
          pos += 3 + u2(pos + 1);
          break;
        case 7: // Class
        case 8: // String
        case 16: // MethodType
        case 19: // Module
        case 20: // Package
          pos += 3;
          break;
        case 15: // MethodHandle
          pos += 4;
          break;
        case 3: // Integer
        case 4: // Float
        case 9: // Fieldref
        case 10: // Methodref
        case 11: // InterfaceMethodref
        case 12: // NameAndType
        case 17: // Dynamic
        case 18: // InvokeDynamic
          pos += 5;
          break;
        case 5: // Long
        case 6: // Double
          pos += 9;
          i++;
          break;
        default:
          throw new IllegalArgumentException("unknown constant tag " + tag + " at " + i);
      }
    }
    return pos;
  }

  private int skipMembers(int pos) {
    int count = u2(pos);
    pos += 2;
    for (int i = 0; i < count; i++) {
      int attributes = u2(pos + 6);
      pos += 8;
      for (int a = 0; a < attributes; a++) {
        pos += 6 + length(pos + 2);
      }
    }
    return pos;
  }

  private boolean utf8Equals(int index, String ascii) {
    if (index <= 0 || index >= constantOffsets.length) {
      return false;
    }
    int at = constantOffsets[index];
    if (u1(at) != 1 || u2(at + 1) != ascii.length()) {
      return false;
    }
    for (int i = 0; i < ascii.length(); i++) {
      if (in[at + 3 + i] != ascii.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private String utf8(int index) {
    if (index <= 0 || index >= constantOffsets.length || u1(constantOffsets[index]) != 1) {
      return "#" + index;
    }
    int at = constantOffsets[index];
    return new String(in, at + 3, u2(at + 1), StandardCharsets.UTF_8);
  }

  private int utf8Constant(String ascii) {
    Integer known = addedIndex.get("U" + ascii);
    if (known != null) {
      return known;
    }
    for (int i = 0; i < ascii.length(); i++) {
      if (ascii.charAt(i) == 0 || ascii.charAt(i) > 0x7F) {
        throw new IllegalArgumentException("not ASCII: " + ascii);
      }
    }
    added.write(1);
    writeU2(added, ascii.length());
    for (int i = 0; i < ascii.length(); i++) {
      added.write(ascii.charAt(i));
    }
    return remember("U" + ascii, 1);
  }

  private int classConstant(String internalName) {
    Integer known = addedIndex.get("C" + internalName);
    if (known != null) {
      return known;
    }
    int name = utf8Constant(internalName);
    added.write(7);
    writeU2(added, name);
    return remember("C" + internalName, 1);
  }

  private int methodConstant(String name, String descriptor) {
    Integer known = addedIndex.get("M" + name + descriptor);
    if (known != null) {
      return known;
    }
    int owner = classConstant(bridge);
    int nameIndex = utf8Constant(name);
    int descriptorIndex = utf8Constant(descriptor);
    added.write(12); // NameAndType
    writeU2(added, nameIndex);
    writeU2(added, descriptorIndex);
    int nameAndType = remember("N" + name + descriptor, 1);
    added.write(10); // Methodref
    writeU2(added, owner);
    writeU2(added, nameAndType);
    return remember("M" + name + descriptor, 1);
  }

  private int remember(String key, int slots) {
    int index = nextConstant;
    nextConstant += slots;
    addedIndex.put(key, index);
    return index;
  }

  /** A u4 length, which must fit an int (a class file is far smaller). */
  private int length(int pos) {
    int v = u4(pos);
    if (v < 0) {
      throw new IllegalArgumentException("bad length at offset " + pos);
    }
    return v;
  }

  private int u1(int pos) {
    return in[pos] & 0xFF;
  }

  private int u2(int pos) {
    return (in[pos] & 0xFF) << 8 | (in[pos + 1] & 0xFF);
  }

  private int u4(int pos) {
    return u2(pos) << 16 | u2(pos + 2);
  }

  private static void writeU2(ByteArrayOutputStream out, int v) {
    if (v < 0 || v > 0xFFFF) {
      throw new IllegalArgumentException("value does not fit a u2: " + v);
    }
    out.write(v >>> 8);
    out.write(v);
  }

  private static void writeU4(ByteArrayOutputStream out, int v) {
    out.write(v >>> 24);
    out.write(v >>> 16);
    out.write(v >>> 8);
    out.write(v);
  }
}
