package dev.staplekeeper.agent.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every agent class logs through {@link AgentLog}: the compiled classes of the agent's main sources
 * are read, and any class but {@code AgentLog} that refers to SLF4J, {@code java.util.logging} or
 * {@code System.Logger} fails the build, however it names them (import or fully qualified). Classes
 * added later on other branches are caught when they are merged.
 */
class LoggingArchitectureTest {
  private static final String FRONT_DOOR = "dev/staplekeeper/agent/log/AgentLog";

  /** Listens to the log rather than writing to it: records the start line for tools outside. */
  private static final String START_LINE = "dev/staplekeeper/agent/log/StartLine";

  private static final List<String> FORBIDDEN =
      List.of(
          "org/slf4j/",
          "java/util/logging/",
          "java/lang/System$Logger",
          "java/lang/System$LoggerFinder");

  /**
   * May print to standard error: the entry point's last-resort line, when not even the log can be
   * trusted to work.
   */
  private static final Set<String> MAY_PRINT =
      Set.of(
          "dev/staplekeeper/agent/StapleKeeperAgent",
          // the command-line tool runs in its own JVM: its output is its user interface
          "dev/staplekeeper/agent/cli/StapleKeeperCli");

  @Test
  void onlyTheFrontDoorTouchesALoggingApi() throws IOException {
    Path classes =
        Path.of(AgentLog.class.getProtectionDomain().getCodeSource().getLocation().getPath());
    Map<String, Set<String>> violations = new TreeMap<>();
    int scanned = 0;
    try (Stream<Path> files = Files.walk(classes)) {
      for (Path file :
          (Iterable<Path>) files.filter(f -> f.toString().endsWith(".class"))::iterator) {
        String name = classes.relativize(file).toString().replace('\\', '/').replace(".class", "");
        scanned++;
        Set<String> found = violations(name, file);
        if (!found.isEmpty()) {
          violations.put(name, found);
        }
      }
    }
    assertThat(scanned).as("agent classes read from %s", classes).isGreaterThan(20);
    assertThat(violations)
        .as("log through dev.staplekeeper.agent.log.AgentLog: AgentLog.get(Foo.class)")
        .isEmpty();
  }

  @Test
  void theCheckCatchesAClassThatLogsAroundTheFrontDoor() throws IOException {
    String name = LogsAroundTheFrontDoor.class.getName().replace('.', '/');
    Path file =
        Path.of(
                LogsAroundTheFrontDoor.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .getPath())
            .resolve(name + ".class");

    assertThat(violations(name, file)).contains("java/util/logging/", "java/lang/System.err");
  }

  /** What {@code name}'s class file refers to that only the front door may. */
  static Set<String> violations(String name, Path classFile) throws IOException {
    Set<String> found = new TreeSet<>();
    if (name.equals(FRONT_DOOR)
        || name.startsWith(FRONT_DOOR + "$")
        || name.equals(START_LINE)
        || name.startsWith(START_LINE + "$")) {
      return found;
    }
    ConstantPool pool;
    try (InputStream in = Files.newInputStream(classFile)) {
      pool = ConstantPool.read(new DataInputStream(in));
    }
    for (String utf8 : pool.utf8) {
      for (String f : FORBIDDEN) {
        if (utf8.contains(f)) {
          found.add(f);
        }
      }
    }
    if (!MAY_PRINT.contains(name)) {
      for (String field : pool.fieldRefs) {
        if (field.equals("java/lang/System.err") || field.equals("java/lang/System.out")) {
          found.add(field);
        }
      }
    }
    return found;
  }

  /** The constant pool of a class file (JVMS 4.4): its UTF-8 entries and field references. */
  private static final class ConstantPool {
    final List<String> utf8 = new ArrayList<>();
    final List<String> fieldRefs = new ArrayList<>();

    static ConstantPool read(DataInputStream in) throws IOException {
      if (in.readInt() != 0xCAFEBABE) {
        throw new IOException("not a class file");
      }
      in.readUnsignedShort();
      in.readUnsignedShort();
      int count = in.readUnsignedShort();
      String[] strings = new String[count];
      int[] classNames = new int[count];
      int[][] refs = new int[count][];
      int[] nameAndTypeName = new int[count];
      List<Integer> fieldRefIndexes = new ArrayList<>();
      for (int i = 1; i < count; i++) {
        int tag = in.readUnsignedByte();
        switch (tag) {
          case 1: // Utf8
            strings[i] = in.readUTF();
            break;
          case 7: // Class
            classNames[i] = in.readUnsignedShort();
            break;
          case 8: // String
          case 16: // MethodType
          case 19: // Module
          case 20: // Package
            in.readUnsignedShort();
            break;
          case 9: // Fieldref
            refs[i] = new int[] {in.readUnsignedShort(), in.readUnsignedShort()};
            fieldRefIndexes.add(i);
            break;
          case 10: // Methodref
          case 11: // InterfaceMethodref
          case 17: // Dynamic
          case 18: // InvokeDynamic
            in.readUnsignedShort();
            in.readUnsignedShort();
            break;
          case 12: // NameAndType
            nameAndTypeName[i] = in.readUnsignedShort();
            in.readUnsignedShort();
            break;
          case 3: // Integer
          case 4: // Float
            in.readInt();
            break;
          case 5: // Long
          case 6: // Double
            in.readLong();
            i++;
            break;
          case 15: // MethodHandle
            in.readUnsignedByte();
            in.readUnsignedShort();
            break;
          default:
            throw new IOException("unknown constant pool tag " + tag);
        }
      }
      ConstantPool pool = new ConstantPool();
      for (String s : strings) {
        if (s != null) {
          pool.utf8.add(s);
        }
      }
      for (int i : fieldRefIndexes) {
        String owner = strings[classNames[refs[i][0]]];
        String field = strings[nameAndTypeName[refs[i][1]]];
        pool.fieldRefs.add(owner + "." + field);
      }
      return pool;
    }
  }

  /** What the check must reject: logging that bypasses the front door. */
  static final class LogsAroundTheFrontDoor {
    void log() {
      java.util.logging.Logger.getLogger("x").info("raw");
      System.err.println("raw");
    }
  }
}
